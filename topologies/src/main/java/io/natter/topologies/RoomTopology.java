package io.natter.topologies;

import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentUploaded;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendReceipt;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The room topology: judges every command of {@code chat.message.requested.v1} in partition order against
 * the {@value #ROOM_STATE_STORE} store (the membership table), the send receipts, the room's history and its
 * registered attachments, then publishes membership events, sequenced messages, edits and deletions with their
 * fan-out, uploaded attachments, or rejections.
 */
public final class RoomTopology {
    /** Persistent, changelogged store of {@link RoomState} by room id. */
    public static final String ROOM_STATE_STORE = "room-state";
    /** {@link SendReceipt} by {@link StoreKeys#receipt}: what each send with a clientMsgId was given. */
    public static final String SEND_RECEIPTS_STORE = "send-receipts";
    /** {@link HistoryEntry} by {@link StoreKeys#history}: each room's retained messages in seq order. */
    public static final String HISTORY_STORE = "room-history";
    /** Global table of {@code chat.region.status.v1} ({@link io.natter.schemas.avro.RegionStatus} by region); multi-region mode only. */
    public static final String REGION_STATUS_STORE = "region-status";
    /** {@link AttachmentMetadata} by {@link StoreKeys#attachment}: the attachments sends of each room may name. */
    public static final String ATTACHMENTS_STORE = "room-attachments";
    /** Header on every output of a judged command: epoch millis (as text) when its outputs were built. */
    public static final String JUDGED_AT_HEADER = "natter-judged-at";
    /**
     * Upstream offset (by peer region) of the last mirrored {@code <peer>.chat.room.membership.v1} record this
     * task's replica applied: how far it caught up with the peer, which lifts a {@link RegionFence}.
     */
    public static final String REPLICA_OFFSETS_STORE = "replica-offsets";
    /** Every store of the topology, all keyed (and partitioned) by room id first, but the per-task replica offsets. */
    public static final List<String> STORES = List.of(ROOM_STATE_STORE, SEND_RECEIPTS_STORE, HISTORY_STORE,
            ATTACHMENTS_STORE, REPLICA_OFFSETS_STORE);

    private RoomTopology() {}

    /** Adds the single-region room topology to {@code builder}, with the system clock and random UUIDs. */
    public static void build(StreamsBuilder builder, Topics topics, String region, Retention retention) {
        build(builder, topics, Regions.single(region), retention);
    }

    /**
     * Adds the room topology for {@code regions} to {@code builder}, with the system clock, random UUIDs as event ids
     * and {@link MessageIds} as message ids.
     */
    public static void build(StreamsBuilder builder, Topics topics, Regions regions, Retention retention) {
        build(builder, topics, regions, retention, Clock.systemUTC(), () -> UUID.randomUUID().toString(),
                MessageIds::forSeq, RegionFence.open(regions.local()));
    }

    /** Adds the single-region room topology to {@code builder}; see the full overload. */
    public static void build(StreamsBuilder builder, Topics topics, String region, Retention retention, Clock clock,
                             Supplier<String> ids) {
        build(builder, topics, Regions.single(region), retention, clock, ids);
    }

    /**
     * Adds the room topology to {@code builder}. With peer regions it also reads the peers' mirrored commands
     * (judging those of rooms homed here), applies the peers' mirrored events to the same stores (replicas of
     * rooms homed there), and reads {@code chat.region.status.v1} as a global table (failover).
     *
     * @param regions this region and its peers; no peers = single-region mode, local topics only
     * @param retention the dedupe window and the history bounds
     * @param clock stamps {@code sentAt} and {@code occurredAt}, and decides expiry
     * @param ids source of message and event ids; called from every stream thread, so thread-safe. Message ids
     *     of this source name no seq, so edits and deletions find their message by a scan (tests)
     */
    public static void build(StreamsBuilder builder, Topics topics, Regions regions, Retention retention, Clock clock,
                             Supplier<String> ids) {
        build(builder, topics, regions, retention, clock, ids, RegionFence.open(regions.local()));
    }

    /**
     * As above, refusing to judge rooms homed here while {@code fence} (what the peers say of this region, read
     * on their clusters) is closed for the command's partition.
     */
    public static void build(StreamsBuilder builder, Topics topics, Regions regions, Retention retention, Clock clock,
                             Supplier<String> ids, RegionFence fence) {
        build(builder, topics, regions, retention, clock, ids, seq -> ids.get(), fence);
    }

    /**
     * As above, with {@code messageIds} giving each new message its id from its seq ({@link MessageIds#forSeq} in
     * production: an edit or deletion then finds its message by key) and {@code ids} the events' ids.
     */
    public static void build(StreamsBuilder builder, Topics topics, Regions regions, Retention retention, Clock clock,
                             Supplier<String> ids, LongFunction<String> messageIds, RegionFence fence) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(REPLICA_OFFSETS_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ROOM_STATE_STORE), Serdes.String(), topics.serde(RoomState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SEND_RECEIPTS_STORE), Serdes.String(), topics.serde(SendReceipt.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.String(), topics.serde(HistoryEntry.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATTACHMENTS_STORE),
                Serdes.String(), topics.serde(AttachmentMetadata.class)));

        if (regions.multiRegion()) {
            Topic<String, RegionStatus> status = topics.regionStatus();
            builder.globalTable(status.name(),
                    Consumed.with(status.keySerde(), status.valueSerde()).withName("region-status-source"),
                    Materialized.<String, RegionStatus, KeyValueStore<Bytes, byte[]>>as(REGION_STATUS_STORE)
                            .withKeySerde(status.keySerde()).withValueSerde(status.valueSerde()));
            replicas(builder, topics, regions, retention, clock);
        }

        RoomCommandJudge judge = new RoomCommandJudge(regions, messageIds);
        RoomEvents events = new RoomEvents(regions.local(), ids);
        Topic<String, RoomCommand> commands = topics.messageRequested();
        // Local and mirrored commands in one source: co-partitioned, so a room's commands meet in one task.
        KStream<String, SpecificRecord> outputs = builder
                .stream(regions.localAndMirrored(commands),
                        Consumed.with(commands.keySerde(), commands.valueSerde()).withName("room-commands"))
                .process(() -> new RoomCommandProcessor(judge, events, retention, clock, regions, fence),
                        Named.as("judge-room-command"), STORES.toArray(String[]::new));

        BranchedKStream<String, SpecificRecord> byType = outputs.split(Named.as("route-"));
        route(byType, RoomMembershipEvent.class, topics.roomMembership());
        route(byType, ChatMessageSent.class, topics.messageSent());
        route(byType, ChatMessageEdited.class, topics.messageEdited());
        route(byType, ChatMessageDeleted.class, topics.messageDeleted());
        route(byType, ChatFanout.class, topics.fanout());
        route(byType, CommandRejected.class, topics.messageRejected());
        route(byType, AttachmentUploaded.class, topics.attachmentUploaded());
        byType.noDefaultBranch();
    }

    /** The peers' mirrored membership, message, edit and deletion events, applied to the room stores. */
    private static void replicas(StreamsBuilder builder, Topics topics, Regions regions, Retention retention,
                                 Clock clock) {
        KStream<String, SpecificRecord> mirrored = mirrored(builder, topics.roomMembership(), regions)
                .merge(mirrored(builder, topics.messageSent(), regions), Named.as("merge-mirrored-sent"))
                .merge(mirrored(builder, topics.messageEdited(), regions), Named.as("merge-mirrored-edited"))
                .merge(mirrored(builder, topics.messageDeleted(), regions), Named.as("merge-mirrored-deleted"));
        mirrored.process(() -> new ReplicaProcessor(regions, retention, clock), Named.as("apply-replica"),
                STORES.toArray(String[]::new));
    }

    private static <V extends SpecificRecord> KStream<String, SpecificRecord> mirrored(
            StreamsBuilder builder, Topic<String, V> topic, Regions regions) {
        return builder.stream(regions.mirrored(topic),
                        Consumed.with(topic.keySerde(), topic.valueSerde()).withName("mirrored-" + topic.name()))
                .mapValues(value -> (SpecificRecord) value, Named.as("as-record-mirrored-" + topic.name()));
    }

    /** Sends the events of the topic's value type to that topic. */
    private static <V extends SpecificRecord> void route(BranchedKStream<String, SpecificRecord> byType,
                                                         Class<V> type, Topic<String, V> topic) {
        byType.branch((key, value) -> type.isInstance(value), Branched.withConsumer(stream -> stream
                .mapValues(type::cast, Named.as("as-" + topic.name()))
                .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName("to-" + topic.name())),
                topic.name()));
    }
}
