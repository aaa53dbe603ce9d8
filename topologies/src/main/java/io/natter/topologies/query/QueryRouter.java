package io.natter.topologies.query;

import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RoomState;
import io.natter.topologies.RoomTopology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers each query where its data lives: a room's queries on the instance owning the room's partition
 * (forwarded one hop if that is another instance), a user's rooms gathered from every instance. Reads see the
 * local stores as they are, including writes of a transaction not yet committed.
 */
public final class QueryRouter implements AutoCloseable {
    private final CompletableFuture<Instance> instance = new CompletableFuture<>();
    private final PeerClient peers;
    private final int historyMaxMessages;

    private record Instance(KafkaStreams streams, HostInfo self) {}

    /** A router whose local queries know the instance's {@code NATTER_HISTORY_MAX_MESSAGES}. */
    public QueryRouter(int historyMaxMessages) {
        this.peers = new PeerClient(QueryJson.newMapper());
        this.historyMaxMessages = historyMaxMessages;
    }

    /** Starts answering from {@code streams}, which advertises {@code self} as its application.server. */
    public void attach(KafkaStreams streams, HostInfo self) {
        instance.complete(new Instance(streams, self));
    }

    /** Whether this instance runs with all its tasks assigned and restored. */
    public boolean ready() {
        Instance current = instance.getNow(null);
        return current != null && current.streams.state() == KafkaStreams.State.RUNNING;
    }

    /** This instance's copy of the {@code region-status} global table (multi-region mode only). */
    public ReadOnlyKeyValueStore<String, RegionStatus> regionStatuses() {
        Instance current = attached();
        return local(() -> store(current.streams, RoomTopology.REGION_STATUS_STORE, null));
    }

    /** The room's state; {@code forwarded} when a peer asks, so the answer must come from here. */
    public RoomView room(String roomId, boolean forwarded) {
        return routed(roomId, forwarded, queries -> queries.room(roomId), peer -> peers.room(peer, roomId));
    }

    /** A page of the room's history. */
    public MessagePage messages(String roomId, MessageQuery query, boolean forwarded) {
        return routed(roomId, forwarded, queries -> queries.messages(roomId, query),
                peer -> peers.messages(peer, roomId, query));
    }

    /** The user's rooms from every instance, or from this one only when {@code localOnly} (a peer gathering). */
    public List<UserRoomView> roomsOf(String userId, boolean localOnly) {
        Instance current = running();
        if (localOnly) {
            return local(() -> queries(current.streams, null).roomsOf(userId));
        }
        Collection<StreamsMetadata> everyone = current.streams.metadataForAllStreamsClients();
        List<CompletableFuture<List<UserRoomView>>> answers = new ArrayList<>();
        for (StreamsMetadata member : everyone) {
            answers.add(member.hostInfo().equals(current.self)
                    ? CompletableFuture.completedFuture(local(() -> queries(current.streams, null).roomsOf(userId)))
                    : peers.localRoomsOf(member.hostInfo(), userId));
        }
        // A room appears once even if a rebalance let two instances report it.
        Map<String, UserRoomView> byId = new LinkedHashMap<>();
        answers.forEach(answer -> PeerClient.join(answer).forEach(room -> byId.putIfAbsent(room.roomId(), room)));
        return byId.values().stream().sorted(Comparator.comparing(UserRoomView::roomId)).toList();
    }

    private <T> T routed(String roomId, boolean forwarded, Function<RoomQueries, Optional<T>> local,
                         Function<HostInfo, T> remote) {
        Instance current = attached();
        KeyQueryMetadata owner = local(() ->
                current.streams.queryMetadataForKey(RoomTopology.ROOM_STATE_STORE, roomId, Serdes.String().serializer()));
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
            throw new QueryException.Unavailable("owner of room " + roomId + " not known yet", null);
        }
        if (owner.activeHost().equals(current.self)) {
            return local(() -> local.apply(queries(current.streams, owner.partition())))
                    .orElseThrow(() -> new QueryException.RoomNotFound(roomId));
        }
        if (forwarded) {
            // The peer thought this instance owns the room; ownership moved meanwhile. One hop only: retry.
            throw new QueryException.Unavailable("room " + roomId + " moved to " + owner.activeHost(), null);
        }
        return remote.apply(owner.activeHost());
    }

    /** The active stores of {@code partition} here, or of every local partition when {@code null}. */
    private RoomQueries queries(KafkaStreams streams, Integer partition) {
        return new RoomQueries(store(streams, RoomTopology.ROOM_STATE_STORE, partition),
                store(streams, RoomTopology.HISTORY_STORE, partition), historyMaxMessages);
    }

    private static <V> ReadOnlyKeyValueStore<String, V> store(KafkaStreams streams, String name, Integer partition) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> parameters =
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore());
        return streams.store(partition == null ? parameters : parameters.withPartition(partition));
    }

    /** Runs a read of local state; a store migrating, restoring or closed means "ask again". */
    private static <T> T local(Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidStateStoreException e) {
            throw new QueryException.Unavailable("local state not queryable now: " + e.getMessage(), e);
        }
    }

    private Instance attached() {
        Instance current = instance.getNow(null);
        if (current == null) {
            throw new QueryException.Unavailable("streams not started yet", null);
        }
        return current;
    }

    /** A complete answer over all instances needs every partition assigned: RUNNING, not rebalancing. */
    private Instance running() {
        Instance current = attached();
        KafkaStreams.State state = current.streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new QueryException.Unavailable("instance is " + state, null);
        }
        return current;
    }

    @Override
    public void close() {
        peers.close();
    }
}
