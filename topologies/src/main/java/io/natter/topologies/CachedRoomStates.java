package io.natter.topologies;

import io.natter.schemas.avro.RoomState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@value RoomTopology#ROOM_STATE_STORE} store as its only writer sees it: writes go to the store, and the rooms
 * written or read last stay decoded in memory, so a send reads its room without a RocksDB lookup and an Avro decode.
 */
final class CachedRoomStates {
    /** Rooms kept per task at most. */
    static final int MAX_ROOMS = 10_000;
    /** Members of the kept rooms, summed, per task at most: a few big rooms must not fill the heap. */
    static final int MAX_MEMBERS = 100_000;

    private final KeyValueStore<String, RoomState> store;
    /**
     * Null unless this instance is the store's only writer (a replica processor of a multi-region deployment writes
     * it too). An access-ordered LinkedHashMap is the JDK's LRU; the store stays the truth. Values are never
     * changed in place (a new state is a new object, see {@link RoomCommandJudge}), so sharing them is safe.
     */
    private final LinkedHashMap<String, RoomState> kept;
    private long keptMembers;

    CachedRoomStates(KeyValueStore<String, RoomState> store, boolean soleWriter) {
        this.store = store;
        this.kept = soleWriter ? new LinkedHashMap<>(256, 0.75f, true) : null;
    }

    /** The room's state, or {@code null} if there is no such room. */
    RoomState get(String roomId) {
        if (kept == null) {
            return store.get(roomId);
        }
        RoomState room = kept.get(roomId);
        if (room == null) {
            room = store.get(roomId);
            if (room != null) {
                keep(roomId, room);
            }
        }
        return room;
    }

    /** Writes the room's state to the store, then keeps it. */
    void put(String roomId, RoomState room) {
        store.put(roomId, room);
        if (kept != null) {
            keep(roomId, room);
        }
    }

    /** Every room, read from the store (housekeeping). */
    KeyValueIterator<String, RoomState> all() {
        return store.all();
    }

    private void keep(String roomId, RoomState room) {
        RoomState before = kept.put(roomId, room);
        keptMembers += room.getMembers().size() - (before == null ? 0 : before.getMembers().size());
        if (kept.size() <= MAX_ROOMS && keptMembers <= MAX_MEMBERS) {
            return;
        }
        Iterator<Map.Entry<String, RoomState>> eldest = kept.entrySet().iterator();
        while ((kept.size() > MAX_ROOMS || keptMembers > MAX_MEMBERS) && eldest.hasNext()) {
            keptMembers -= eldest.next().getValue().getMembers().size();
            eldest.remove();
        }
    }

    /** Rooms kept in memory now (tests). */
    int keptRooms() {
        return kept == null ? 0 : kept.size();
    }
}
