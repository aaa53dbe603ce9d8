package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The room states' write-through cache: what it saves in store reads, its bounds, and that the store stays the truth. */
class CachedRoomStatesTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private KeyValueStore<String, RoomState> store;
    private ScanRecordingStore<String, RoomState> recorded;

    @BeforeEach
    void openStore() {
        store = AvroStores.inMemory(RoomTopology.ROOM_STATE_STORE, RoomState.class);
        recorded = new ScanRecordingStore<>(store);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aSoleWriterReadsWhatItWroteWithoutTheStoreAndTheStoreHoldsEveryWrite() {
        CachedRoomStates rooms = new CachedRoomStates(recorded, true);
        for (long seq = 0; seq <= 50; seq++) {
            RoomState room = room("r1", 10, seq);
            rooms.put("r1", room);
            assertThat(rooms.get("r1")).isEqualTo(room);
            assertThat(store.get("r1")).as("the store after seq %d", seq).isEqualTo(room);
        }
        assertThat(recorded.gets()).isZero();
    }

    @Test
    void aRoomOnlyInTheStoreIsReadOnceThenKept() {
        store.put("r1", room("r1", 3, 7));
        CachedRoomStates rooms = new CachedRoomStates(recorded, true);

        assertThat(rooms.get("r1")).isEqualTo(room("r1", 3, 7));
        assertThat(rooms.get("r1")).isEqualTo(room("r1", 3, 7));
        assertThat(rooms.get("missing")).isNull();
        assertThat(rooms.get("missing")).as("no room is not kept: it may be created by anyone").isNull();

        assertThat(recorded.gets()).as("r1 once, the missing room each time").isEqualTo(3);
    }

    @Test
    void withAnotherWriterEveryReadGoesToTheStore() {
        CachedRoomStates rooms = new CachedRoomStates(recorded, false);
        rooms.put("r1", room("r1", 3, 1));
        store.put("r1", room("r1", 3, 2)); // the other writer (a replica processor)

        assertThat(rooms.get("r1")).isEqualTo(room("r1", 3, 2));
        assertThat(rooms.get("r1")).isEqualTo(room("r1", 3, 2));
        assertThat(recorded.gets()).isEqualTo(2);
        assertThat(rooms.keptRooms()).isZero();
    }

    @Test
    void keepsAtMostItsRoomCountAndEvictsTheLeastRecentlyUsed() {
        CachedRoomStates rooms = new CachedRoomStates(recorded, true);
        for (int i = 0; i <= CachedRoomStates.MAX_ROOMS; i++) {
            rooms.put("r" + i, room("r" + i, 2, 1));
            if (i == 0) {
                rooms.get("r0"); // used again: r1 is now the least recently used
            }
            if (i == CachedRoomStates.MAX_ROOMS - 1) {
                rooms.get("r0");
            }
        }
        assertThat(rooms.keptRooms()).isEqualTo(CachedRoomStates.MAX_ROOMS);

        assertThat(rooms.get("r0")).isEqualTo(room("r0", 2, 1));
        assertThat(recorded.gets()).as("r0 was kept").isZero();
        assertThat(rooms.get("r1")).as("evicted, read back from the store").isEqualTo(room("r1", 2, 1));
        assertThat(recorded.gets()).isEqualTo(1);
    }

    @Test
    void keepsAtMostItsMemberCountSoBigRoomsDoNotFillTheHeap() {
        CachedRoomStates rooms = new CachedRoomStates(recorded, true);
        int big = CachedRoomStates.MAX_MEMBERS / 2 + 1;
        rooms.put("big-1", room("big-1", big, 1));
        rooms.put("small", room("small", 5, 1));
        rooms.put("big-2", room("big-2", big, 1));

        assertThat(rooms.keptRooms()).as("big-1 evicted, small and big-2 kept").isEqualTo(2);
        rooms.get("small");
        rooms.get("big-2");
        assertThat(recorded.gets()).isZero();
        assertThat(rooms.get("big-1").getMembers()).hasSize(big);
        assertThat(recorded.gets()).isEqualTo(1);

        // One room over the whole bound is written, but not kept.
        rooms.put("huge", room("huge", CachedRoomStates.MAX_MEMBERS + 1, 1));
        assertThat(store.get("huge").getMembers()).hasSize(CachedRoomStates.MAX_MEMBERS + 1);
        assertThat(rooms.keptRooms()).isZero();
    }

    private static RoomState room(String roomId, int members, long lastSeq) {
        List<String> ids = new ArrayList<>();
        IntStream.range(0, members).forEach(i -> ids.add("user-" + i));
        return new RoomState(roomId, "Lobby", RoomVisibility.PRIVATE, "user-0", ids, "eu", T0, lastSeq,
                lastSeq == 0 ? null : T0.plusSeconds(lastSeq), lastSeq, 0, 1L);
    }
}
