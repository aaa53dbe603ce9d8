package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.HistoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The history trim (exact windows; no range scan from a room's start once its oldest entry is remembered; no read to
 * trim by count) and finding a message by id.
 */
class RoomHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final int CAP = 5;
    private static final Duration MAX_AGE = Duration.ofHours(1);

    private KeyValueStore<String, HistoryEntry> store;
    private ScanRecordingStore<String, HistoryEntry> history;
    private RoomHistory rooms;

    @BeforeEach
    void openStores() {
        store = AvroStores.inMemory(RoomTopology.HISTORY_STORE, HistoryEntry.class);
        history = new ScanRecordingStore<>(store);
        rooms = new RoomHistory(history, new Retention(Duration.ofHours(24), CAP, MAX_AGE), true);
    }

    @AfterEach
    void closeStores() {
        store.close();
    }

    @Test
    void aRoomAtItsCapDeletesItsOldestEntryByKeyOnEveryAppendWithoutReadingIt() {
        for (long seq = 1; seq <= 30; seq++) {
            rooms.append(message("r1", seq, T0.plusSeconds(seq)), T0.plusSeconds(seq));
            rooms.append(message("r2", seq, T0.plusSeconds(seq)), T0.plusSeconds(seq));
            long first = Math.max(1, seq - CAP + 1);
            assertThat(seqs("r1")).as("r1 after seq %d", seq).isEqualTo(range(first, seq));
            assertThat(seqs("r2")).as("r2 after seq %d", seq).isEqualTo(range(first, seq));
        }
        // One scan per room (its first append, before anything was remembered); every trim after it deleted the
        // entry that fell out of the window by key, unread (no get, and no delete, which reads the old value).
        assertThat(history.scanStarts()).containsExactlyInAnyOrder(StoreKeys.historyStart("r1"),
                StoreKeys.historyStart("r2"));
        assertThat(history.gets()).isZero();
    }

    @Test
    void entriesPastTheMaxAgeGoByPointLookupsToo() {
        rooms.append(message("r1", 1, T0), T0);
        rooms.append(message("r1", 2, T0.plusSeconds(60)), T0.plusSeconds(60));
        rooms.append(message("r1", 3, T0.plusSeconds(120)), T0.plusSeconds(120));
        Instant later = T0.plus(MAX_AGE).plusSeconds(90);

        rooms.append(message("r1", 4, later), later);

        assertThat(seqs("r1")).containsExactly(3L, 4L);
        assertThat(history.scanStarts()).containsExactly(StoreKeys.historyStart("r1"));
        assertThat(history.gets()).as("seqs 1 and 2 expired, 3 kept").isEqualTo(3);
    }

    @Test
    void aRememberedOldestEntryThatIsGoneFallsBackToAScanFromThere() {
        for (long seq = 1; seq <= CAP; seq++) {
            rooms.append(message("r1", seq, T0), T0);
        }
        store.delete(StoreKeys.history("r1", 1)); // the remembered oldest entry goes behind the history's back
        Instant later = T0.plus(MAX_AGE).plusSeconds(1);

        rooms.append(message("r1", 6, later), later); // 2..5 aged out: read from the remembered seq 1
        assertThat(seqs("r1")).containsExactly(6L);
        assertThat(history.scanStarts()).containsExactly(StoreKeys.historyStart("r1"), StoreKeys.history("r1", 1));

        rooms.append(message("r1", 7, later), later);
        assertThat(seqs("r1")).containsExactly(6L, 7L);
        assertThat(history.scanStarts()).as("seq 6 is remembered now: no scan").hasSize(2);
    }

    @Test
    void aRunLongerThanTheBlindDeletesIsReadNotDeletedKeyByKey() {
        rooms.append(message("r1", 1, T0), T0);
        long far = 1 + RoomHistory.BLIND_DELETES + CAP + 1; // seq 1 is remembered; the window starts far above it
        rooms.append(message("r1", far, T0), T0);

        assertThat(seqs("r1")).containsExactly(far);
        assertThat(history.gets()).as("seq 1 read, and found expired").isPositive();
        assertThat(history.scanStarts()).containsExactly(StoreKeys.historyStart("r1"), StoreKeys.history("r1", 2));
    }

    @Test
    void withTwoWritersAnAppendDeletesTheEntryItPushesOutByKeyAndHousekeepingTheRest() {
        RoomHistory shared = new RoomHistory(history, new Retention(Duration.ofHours(24), CAP, MAX_AGE));
        for (long seq = 1; seq <= 30; seq++) {
            shared.append(message("r1", seq, T0), T0);
            assertThat(seqs("r1")).as("after seq %d", seq).isEqualTo(range(Math.max(1, seq - CAP + 1), seq));
        }
        assertThat(history.scanStarts()).as("no scan over the trimmed entries' tombstones").isEmpty();
        assertThat(history.gets()).isZero();

        // An entry applied out of order below the window, and the window aging out: an append leaves both ...
        shared.append(message("r1", 3, T0), T0);
        Instant later = T0.plus(MAX_AGE).plusSeconds(1);
        shared.append(message("r1", 31, later), later);
        assertThat(seqs("r1")).containsExactly(3L, 27L, 28L, 29L, 30L, 31L);
        // ... to the housekeeping, which trims by count and age from the room's first key.
        shared.trimAll(List.of(KeyValue.pair("r1", 31L)), later);
        assertThat(seqs("r1")).containsExactly(31L);
    }

    @Test
    void findsAMessageByTheSeqItsIdNamesWithOneLookup() {
        List<String> ids = new ArrayList<>();
        for (long seq = 1; seq <= 8; seq++) {
            String id = MessageIds.forSeq(seq);
            ids.add(id);
            rooms.append(message("r1", id, seq, T0), T0);
        }
        int scans = history.scanStarts().size();
        int gets = history.gets();

        assertThat(rooms.find("r1", ids.get(7), 8).getMessage().getSeq()).isEqualTo(8L);
        assertThat(rooms.find("r1", ids.get(3), 8).getMessage().getSeq()).isEqualTo(4L);
        assertThat(rooms.find("r1", ids.get(1), 8)).as("trimmed (cap %d)", CAP).isNull();
        assertThat(rooms.find("r2", ids.get(7), 8)).as("another room's seq 8 is no such message").isNull();
        // Same seq, other random bits: not this message.
        assertThat(rooms.find("r1", MessageIds.forSeq(8), 8)).isNull();
        assertThat(history.gets() - gets).isEqualTo(5);
        assertThat(rooms.find("r1", MessageIds.forSeq(9), 8)).as("beyond lastSeq: not looked up").isNull();
        assertThat(history.gets() - gets).isEqualTo(5);
        assertThat(history.scanStarts()).hasSize(scans);
    }

    @Test
    void findsAnIdThatNamesNoSeqByAScanOfTheRetainedEntriesNewestFirst() {
        for (long seq = 1; seq <= 8; seq++) {
            rooms.append(message("r1", seq, T0), T0); // ids "r1-<seq>", as version-4 UUIDs of older messages
        }
        int scans = history.scanStarts().size();

        assertThat(rooms.find("r1", "r1-7", 8).getMessage().getSeq()).isEqualTo(7L);
        assertThat(rooms.find("r1", "r1-2", 8)).as("trimmed").isNull();
        assertThat(rooms.find("r1", "no-such-id", 8)).isNull();
        // Each scan starts at the oldest seq the cap lets the room hold, not at the room's first key.
        assertThat(history.scanStarts().subList(scans, history.scanStarts().size()))
                .containsOnly(StoreKeys.history("r1", 8 - CAP + 1));
    }

    private static ChatMessage message(String roomId, long seq, Instant sentAt) {
        return message(roomId, roomId + "-" + seq, seq, sentAt);
    }

    private static ChatMessage message(String roomId, String messageId, long seq, Instant sentAt) {
        return new ChatMessage(messageId, roomId, "alice", "hello", sentAt, seq, "c" + seq, List.of(), 0);
    }

    private static List<Long> range(long first, long last) {
        List<Long> seqs = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    /** The room's seqs, read from the store itself (so the test's own reads are not recorded as scans). */
    private List<Long> seqs(String roomId) {
        List<Long> seqs = new ArrayList<>();
        try (KeyValueIterator<String, HistoryEntry> it =
                     store.range(StoreKeys.historyStart(roomId), StoreKeys.historyEnd(roomId))) {
            it.forEachRemaining(entry -> seqs.add(entry.value.getMessage().getSeq()));
        }
        return seqs;
    }

}
