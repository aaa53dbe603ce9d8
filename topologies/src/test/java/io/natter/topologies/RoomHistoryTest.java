package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.HistoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The history trim: exact windows, and no range scan from a room's start once its oldest entry is remembered. */
class RoomHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final int CAP = 5;
    private static final Duration MAX_AGE = Duration.ofHours(1);

    private KeyValueStore<String, HistoryEntry> store;
    private KeyValueStore<String, Long> index;
    private ScanRecordingStore<String, HistoryEntry> history;
    private RoomHistory rooms;

    @BeforeEach
    void openStores() {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RoomTopology.HISTORY_STORE),
                Serdes.String(), topics.serde(HistoryEntry.class)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        index = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RoomTopology.MESSAGE_INDEX_STORE),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        index.init(context.getStateStoreContext(), index);
        history = new ScanRecordingStore<>(store);
        rooms = new RoomHistory(history, index, new Retention(Duration.ofHours(24), CAP, MAX_AGE), true);
    }

    @AfterEach
    void closeStores() {
        store.close();
        index.close();
    }

    @Test
    void aRoomAtItsCapTrimsItsOldestEntryOnEveryAppendByPointLookups() {
        for (long seq = 1; seq <= 30; seq++) {
            rooms.append(message("r1", seq, T0.plusSeconds(seq)), T0.plusSeconds(seq));
            rooms.append(message("r2", seq, T0.plusSeconds(seq)), T0.plusSeconds(seq));
            long first = Math.max(1, seq - CAP + 1);
            assertThat(seqs("r1")).as("r1 after seq %d", seq).isEqualTo(range(first, seq));
            assertThat(seqs("r2")).as("r2 after seq %d", seq).isEqualTo(range(first, seq));
        }
        assertThat(indexed("r1")).containsExactlyInAnyOrder("r1-26", "r1-27", "r1-28", "r1-29", "r1-30");
        // One scan per room (its first append, before anything was remembered); every trim after it looked up keys.
        assertThat(history.scanStarts()).containsExactlyInAnyOrder(StoreKeys.historyStart("r1"),
                StoreKeys.historyStart("r2"));
    }

    @Test
    void entriesPastTheMaxAgeGoByPointLookupsToo() {
        rooms.append(message("r1", 1, T0), T0);
        rooms.append(message("r1", 2, T0.plusSeconds(60)), T0.plusSeconds(60));
        rooms.append(message("r1", 3, T0.plusSeconds(120)), T0.plusSeconds(120));
        Instant later = T0.plus(MAX_AGE).plusSeconds(90);

        rooms.append(message("r1", 4, later), later);

        assertThat(seqs("r1")).containsExactly(3L, 4L);
        assertThat(indexed("r1")).containsExactlyInAnyOrder("r1-3", "r1-4");
        assertThat(history.scanStarts()).containsExactly(StoreKeys.historyStart("r1"));
    }

    @Test
    void aRememberedOldestEntryThatIsGoneFallsBackToAScanFromThere() {
        for (long seq = 1; seq <= CAP; seq++) {
            rooms.append(message("r1", seq, T0), T0);
        }
        store.delete(StoreKeys.history("r1", 1)); // the remembered oldest entry goes behind the history's back

        rooms.append(message("r1", 6, T0), T0);
        assertThat(seqs("r1")).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(history.scanStarts()).containsExactly(StoreKeys.historyStart("r1"), StoreKeys.history("r1", 1));

        rooms.append(message("r1", 7, T0), T0);
        assertThat(seqs("r1")).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(indexed("r1")).doesNotContain("r1-2");
        assertThat(history.scanStarts()).as("seq 2 is remembered now: point lookups again").hasSize(2);
    }

    private static ChatMessage message(String roomId, long seq, Instant sentAt) {
        return new ChatMessage(roomId + "-" + seq, roomId, "alice", "hello", sentAt, seq, "c" + seq, List.of(), 0);
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

    private List<String> indexed(String roomId) {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = index.all()) {
            it.forEachRemaining(entry -> {
                if (entry.key.startsWith(roomId + '\u0000')) {
                    ids.add(entry.key.substring(roomId.length() + 1));
                }
            });
        }
        return ids;
    }
}
