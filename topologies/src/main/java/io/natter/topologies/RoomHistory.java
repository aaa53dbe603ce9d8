package io.natter.topologies;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.HistoryEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Each room's retained messages ({@value RoomTopology#HISTORY_STORE}), bounded by count and age. Trimming only ever
 * removes a room's oldest entries, so what is retained is the contiguous seq range oldestSeq..lastSeq (multi-region,
 * a replica applied out of order below the count window may stay until the next {@link #trimAll}). A message is
 * found by the seq its id names ({@link MessageIds}); there is no index by message id to keep.
 */
final class RoomHistory {
    /** Rooms per task whose oldest retained entry is remembered; others take the store's iterator. */
    static final int OLDEST_REMEMBERED_ROOMS = 10_000;
    /** Most entries a trim deletes by key without reading them; a longer run is read (and may be a scan). */
    static final int BLIND_DELETES = 64;

    /**
     * A room's oldest retained entry, or one older than it (never a newer one), and a time no later than that entry's
     * {@code sentAt}: kept as a bound, the trims by count need not read the entries they delete.
     */
    private record Oldest(long seq, Instant sentAt) { }

    private final KeyValueStore<String, HistoryEntry> history;
    private final Retention retention;
    /**
     * Lets {@link #trim} skip its range scan (an iterator over RocksDB per sent message, ~7 % of the topology's CPU)
     * while the room holds nothing to trim, and delete by key without reading once it does. Null unless this
     * instance is the history's only writer: a second one (the replica processor of a multi-region deployment) could
     * add entries older than what is remembered here.
     * An access-ordered LinkedHashMap is the JDK's bounded LRU; the store stays the truth.
     */
    private final Map<String, Oldest> oldest;

    RoomHistory(KeyValueStore<String, HistoryEntry> history, Retention retention) {
        this(history, retention, false);
    }

    /** As above; {@code soleWriter}: nothing else writes this store, so the oldest entries may be remembered. */
    RoomHistory(KeyValueStore<String, HistoryEntry> history, Retention retention, boolean soleWriter) {
        this.history = history;
        this.retention = retention;
        this.oldest = soleWriter ? new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Oldest> eldest) {
                return size() > OLDEST_REMEMBERED_ROOMS;
            }
        } : null;
    }

    /**
     * The retained entry of a message, deleted or not, in a room whose last seq is {@code lastSeq}; {@code null} if
     * unknown or trimmed. An id of {@link MessageIds} takes one lookup; any other id a scan of the retained entries,
     * newest first (ids of messages sequenced before ids named their seq).
     */
    HistoryEntry find(String roomId, String messageId, long lastSeq) {
        long seq = MessageIds.seqOf(messageId);
        if (seq >= 0) {
            HistoryEntry entry = seq > lastSeq ? null : history.get(StoreKeys.history(roomId, seq));
            return entry != null && entry.getMessage().getMessageId().equals(messageId) ? entry : null;
        }
        if (lastSeq < 0) {
            return null;
        }
        // From the newest to the oldest seq the cap lets the room hold: tombstones of trimmed entries lie below it.
        long from = Math.max(0, lastSeq - retention.historyMaxMessages() + 1);
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.reverseRange(StoreKeys.history(roomId, from), StoreKeys.history(roomId, lastSeq))) {
            while (it.hasNext()) {
                HistoryEntry entry = it.next().value;
                if (entry.getMessage().getMessageId().equals(messageId)) {
                    return entry;
                }
            }
        }
        return null;
    }

    /**
     * Adds a newly sequenced message, then trims its room: wholly with one writer; with two, only the entry it pushes
     * out of the count window ({@link #trimAll} does the rest).
     */
    void append(ChatMessage message, Instant now) {
        history.put(StoreKeys.history(message.getRoomId(), message.getSeq()), new HistoryEntry(message, null, null, null));
        if (oldest == null) {
            // Two writers (multi-region): no oldest entry can be remembered, and a trim would scan from the room's
            // first key over the tombstone of every entry trimmed before. The entry this message pushes out of the
            // count window goes by key, unread; whatever else is due (by age, or left below the window by replicas
            // applied out of order) goes at the next housekeeping (trimAll, every minute).
            long pushedOut = message.getSeq() - retention.historyMaxMessages();
            if (pushedOut >= 0) {
                remove(message.getRoomId(), pushedOut);
            }
            return;
        }
        Oldest known = oldest.get(message.getRoomId());
        if (known != null && message.getSeq() < known.seq()) {
            oldest.put(message.getRoomId(), new Oldest(message.getSeq(), message.getSentAt()));
        }
        trim(message.getRoomId(), message.getSeq(), now);
    }

    /** The room's retained messages in seq order. */
    List<ChatMessage> messages(String roomId) {
        List<ChatMessage> messages = new ArrayList<>();
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.range(StoreKeys.historyStart(roomId), StoreKeys.historyEnd(roomId))) {
            it.forEachRemaining(entry -> messages.add(entry.value.getMessage()));
        }
        return messages;
    }

    /** Whether the room's history holds an entry at {@code seq}. */
    boolean has(String roomId, long seq) {
        return history.get(StoreKeys.history(roomId, seq)) != null;
    }

    /**
     * Removes the room's entries at or above {@code fromSeq} written under an epoch older than {@code epoch}
     * (superseded by a re-home); returns the removed messages.
     */
    List<ChatMessage> supersede(String roomId, long fromSeq, int epoch) {
        List<ChatMessage> removed = new ArrayList<>();
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.range(StoreKeys.history(roomId, Math.max(0, fromSeq)), StoreKeys.historyEnd(roomId))) {
            it.forEachRemaining(entry -> {
                if (entry.value.getMessage().getEpoch() < epoch) {
                    removed.add(entry.value.getMessage());
                }
            });
        }
        for (ChatMessage message : removed) {
            remove(roomId, message.getSeq());
        }
        return removed;
    }

    /** Removes the entry at {@code seq} if it was written under an epoch older than {@code epoch}; returns it, else null. */
    ChatMessage removeOlder(String roomId, long seq, int epoch) {
        HistoryEntry entry = history.get(StoreKeys.history(roomId, seq));
        if (entry == null || entry.getMessage().getEpoch() >= epoch) {
            return null;
        }
        remove(roomId, seq);
        return entry.getMessage();
    }

    /** Replaces a retained entry by its edited or deleted version. */
    void replace(HistoryEntry entry) {
        ChatMessage message = entry.getMessage();
        history.put(StoreKeys.history(message.getRoomId(), message.getSeq()), entry);
    }

    /** Removes the room's entries beyond the newest {@code historyMaxMessages} and those older than the max age. */
    void trim(String roomId, long lastSeq, Instant now) {
        long keepFromSeq = lastSeq - retention.historyMaxMessages() + 1;
        Instant keepFrom = now.minus(retention.historyMaxAge());
        Oldest known = oldest == null ? null : oldest.get(roomId);
        if (known != null && !known.sentAt().isBefore(keepFrom)) {
            if (known.seq() >= keepFromSeq) {
                return; // the oldest entry (or an older one) is kept, so is everything after it
            }
            if (keepFromSeq - known.seq() <= BLIND_DELETES) {
                // Young enough, too many: what lies below keepFromSeq goes by count, so delete it by key unread (a
                // room at its cap does this on every send: one delete, no lookups). The retained run is contiguous,
                // so keepFromSeq is now the oldest entry; the remembered sentAt stays a bound of its sentAt.
                for (long seq = known.seq(); seq < keepFromSeq; seq++) {
                    remove(roomId, seq);
                }
                oldest.put(roomId, new Oldest(keepFromSeq, known.sentAt()));
                return;
            }
        }
        List<ChatMessage> expired = new ArrayList<>();
        ChatMessage firstKept = null;
        long seq = 0;
        boolean scan = known == null;
        if (known != null) {
            // Point lookups from the remembered oldest entry. A range scan from the room's first key would first step
            // over every entry trimmed before (RocksDB keeps their tombstones until a compaction drops them): a room at
            // its cap trims on every message, so that walk grew with the room's traffic (bench/RESULTS.md, session 7).
            for (seq = known.seq(); seq <= lastSeq; seq++) {
                HistoryEntry entry = history.get(StoreKeys.history(roomId, seq));
                if (entry == null) {
                    scan = true; // remembered older than the real oldest: let the scan find the next entry
                    break;
                }
                if (kept(entry.getMessage(), keepFromSeq, keepFrom)) {
                    firstKept = entry.getMessage();
                    break;
                }
                expired.add(entry.getMessage());
            }
        }
        if (scan) {
            // Oldest first from seq (nothing is retained below it); stop at the first entry to keep (sentAt only
            // grows along seq, bar clock skew on failover).
            try (KeyValueIterator<String, HistoryEntry> it =
                         history.range(StoreKeys.history(roomId, seq), StoreKeys.historyEnd(roomId))) {
                while (it.hasNext()) {
                    ChatMessage message = it.next().value.getMessage();
                    if (kept(message, keepFromSeq, keepFrom)) {
                        firstKept = message;
                        break;
                    }
                    expired.add(message);
                }
            }
        }
        if (oldest != null) {
            if (firstKept == null) {
                oldest.remove(roomId);
            } else {
                oldest.put(roomId, new Oldest(firstKept.getSeq(), firstKept.getSentAt()));
            }
        }
        for (ChatMessage message : expired) {
            remove(roomId, message.getSeq());
        }
    }

    /**
     * Deletes the entry at {@code seq}: a put of null, because {@link KeyValueStore#delete} first reads and decodes
     * the old value (a RocksDB get and an Avro decode per trimmed message) only to return it.
     */
    private void remove(String roomId, long seq) {
        history.put(StoreKeys.history(roomId, seq), null);
    }

    private static boolean kept(ChatMessage message, long keepFromSeq, Instant keepFrom) {
        return message.getSeq() >= keepFromSeq && !message.getSentAt().isBefore(keepFrom);
    }

    /** Trims every room in {@code rooms} (room id, last seq). */
    void trimAll(List<KeyValue<String, Long>> rooms, Instant now) {
        rooms.forEach(room -> trim(room.key, room.value, now));
    }
}
