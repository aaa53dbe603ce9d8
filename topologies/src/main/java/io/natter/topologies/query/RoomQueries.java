package io.natter.topologies.query;

import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RoomState;
import io.natter.topologies.StoreKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Answers room, history and membership queries from one instance's room-state and room-history stores. */
public final class RoomQueries {
    private final ReadOnlyKeyValueStore<String, RoomState> rooms;
    private final ReadOnlyKeyValueStore<String, HistoryEntry> history;
    private final int historyMaxMessages;

    /** Over these stores; {@code historyMaxMessages} is the instance's {@code NATTER_HISTORY_MAX_MESSAGES}. */
    public RoomQueries(ReadOnlyKeyValueStore<String, RoomState> rooms,
                       ReadOnlyKeyValueStore<String, HistoryEntry> history, int historyMaxMessages) {
        this.rooms = rooms;
        this.history = history;
        this.historyMaxMessages = historyMaxMessages;
    }

    /** The room's state, if these stores hold it. */
    public Optional<RoomView> room(String roomId) {
        RoomState room = rooms.get(roomId);
        return room == null ? Optional.empty() : Optional.of(RoomView.of(room, oldestSeq(room)));
    }

    /** A page of the room's retained history, if these stores hold the room. */
    public Optional<MessagePage> messages(String roomId, MessageQuery query) {
        RoomState room = rooms.get(roomId);
        if (room == null) {
            return Optional.empty();
        }
        Slice slice = query.afterSeq() != null
                ? after(room, query.afterSeq(), query.limit())
                : before(room, query.beforeSeq() == null ? room.getLastSeq() + 1 : query.beforeSeq(), query.limit());
        return Optional.of(new MessagePage(roomId, slice.entries.stream().map(MessageView::of).toList(), slice.hasMore,
                oldestSeq(room), room.getLastSeq()));
    }

    /** The rooms of these stores that {@code userId} is a member of, by room id. */
    public List<UserRoomView> roomsOf(String userId) {
        List<UserRoomView> found = new ArrayList<>();
        // A scan of the local rooms: fine for thousands per instance; a user→rooms store is the next step.
        try (KeyValueIterator<String, RoomState> it = rooms.all()) {
            it.forEachRemaining(entry -> {
                if (entry.value.getMembers().contains(userId)) {
                    found.add(UserRoomView.of(entry.value));
                }
            });
        }
        found.sort((a, b) -> a.roomId().compareTo(b.roomId()));
        return found;
    }

    /**
     * First retained seq of the room, or lastSeq + 1 when nothing is retained. Read after the room state: the stream
     * thread writes a message's history entry before the room state that counts it (RoomCommandProcessor), so a
     * lastSeq seen here always has its entry.
     */
    private long oldestSeq(RoomState room) {
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.range(firstRetainable(room), StoreKeys.historyEnd(room.getRoomId()))) {
            return it.hasNext() ? StoreKeys.seqOf(it.next().key) : room.getLastSeq() + 1;
        }
    }

    /** The oldest seq the history can still hold: every append trims what lies beyond the newest historyMaxMessages. */
    private long firstRetainableSeq(RoomState room) {
        return Math.max(0, room.getLastSeq() - historyMaxMessages + 1);
    }

    /**
     * The key of {@link #firstRetainableSeq}. Scans start there, not at the room's first key, which in a busy room
     * would step over the RocksDB tombstones of every entry trimmed before (until a compaction drops them). If the
     * stream thread appended since {@code room} was read, the history only starts later, which a scan from here finds.
     */
    private String firstRetainable(RoomState room) {
        return StoreKeys.history(room.getRoomId(), firstRetainableSeq(room));
    }

    private Slice after(RoomState room, long afterSeq, int limit) {
        if (afterSeq == Long.MAX_VALUE) {
            return new Slice(List.of(), false);
        }
        long from = Math.max(afterSeq + 1, firstRetainableSeq(room));
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.range(StoreKeys.history(room.getRoomId(), from), StoreKeys.historyEnd(room.getRoomId()))) {
            return take(it, limit);
        }
    }

    private Slice before(RoomState room, long beforeSeq, int limit) {
        if (beforeSeq <= firstRetainableSeq(room)) {
            return new Slice(List.of(), false);
        }
        try (KeyValueIterator<String, HistoryEntry> it = history.reverseRange(firstRetainable(room),
                StoreKeys.history(room.getRoomId(), beforeSeq - 1))) {
            Slice newestFirst = take(it, limit);
            List<HistoryEntry> ascending = new ArrayList<>(newestFirst.entries);
            Collections.reverse(ascending);
            return new Slice(ascending, newestFirst.hasMore);
        }
    }

    /** Up to {@code limit} entries, reading one more to know whether more exist. */
    private static Slice take(KeyValueIterator<String, HistoryEntry> it, int limit) {
        List<HistoryEntry> entries = new ArrayList<>();
        while (it.hasNext() && entries.size() < limit) {
            entries.add(it.next().value);
        }
        return new Slice(entries, it.hasNext());
    }

    private record Slice(List<HistoryEntry> entries, boolean hasMore) {}
}
