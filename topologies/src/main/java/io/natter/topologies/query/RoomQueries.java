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

    public RoomQueries(ReadOnlyKeyValueStore<String, RoomState> rooms,
                       ReadOnlyKeyValueStore<String, HistoryEntry> history) {
        this.rooms = rooms;
        this.history = history;
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
                ? after(roomId, query.afterSeq(), query.limit())
                : before(roomId, query.beforeSeq() == null ? room.getLastSeq() + 1 : query.beforeSeq(), query.limit());
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
                     history.range(StoreKeys.historyStart(room.getRoomId()), StoreKeys.historyEnd(room.getRoomId()))) {
            return it.hasNext() ? StoreKeys.seqOf(it.next().key) : room.getLastSeq() + 1;
        }
    }

    private Slice after(String roomId, long afterSeq, int limit) {
        if (afterSeq == Long.MAX_VALUE) {
            return new Slice(List.of(), false);
        }
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.range(StoreKeys.history(roomId, afterSeq + 1), StoreKeys.historyEnd(roomId))) {
            return take(it, limit);
        }
    }

    private Slice before(String roomId, long beforeSeq, int limit) {
        if (beforeSeq <= 0) {
            return new Slice(List.of(), false);
        }
        try (KeyValueIterator<String, HistoryEntry> it =
                     history.reverseRange(StoreKeys.historyStart(roomId), StoreKeys.history(roomId, beforeSeq - 1))) {
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
