package io.natter.topologies;

import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The room topology: judges every command of {@code chat.message.requested.v1} in partition order against
 * the {@value #ROOM_STATE_STORE} store (the membership table), then publishes membership events, sequenced
 * messages with their fan-out, or rejections.
 */
public final class RoomTopology {
    /** Persistent, changelogged store of {@link RoomState} by room id. */
    public static final String ROOM_STATE_STORE = "room-state";

    private RoomTopology() {}

    /** Adds the room topology to {@code builder}, with the system clock and random UUIDs. */
    public static void build(StreamsBuilder builder, Topics topics, String region) {
        build(builder, topics, region, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /**
     * Adds the room topology to {@code builder}.
     *
     * @param clock stamps {@code sentAt} and {@code occurredAt}
     * @param ids source of message and event ids; called from every stream thread, so thread-safe
     */
    public static void build(StreamsBuilder builder, Topics topics, String region, Clock clock, Supplier<String> ids) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ROOM_STATE_STORE), Serdes.String(), topics.serde(RoomState.class)));

        RoomCommandJudge judge = new RoomCommandJudge(region, ids);
        RoomEvents events = new RoomEvents(region, ids);
        Topic<String, RoomCommand> commands = topics.messageRequested();
        KStream<String, SpecificRecord> outputs = builder
                .stream(commands.name(), Consumed.with(commands.keySerde(), commands.valueSerde()).withName("room-commands"))
                .process(() -> new RoomCommandProcessor(judge, events, clock), Named.as("judge-room-command"),
                        ROOM_STATE_STORE);

        BranchedKStream<String, SpecificRecord> byType = outputs.split(Named.as("route-"));
        route(byType, RoomMembershipEvent.class, topics.roomMembership());
        route(byType, ChatMessageSent.class, topics.messageSent());
        route(byType, ChatFanout.class, topics.fanout());
        route(byType, CommandRejected.class, topics.messageRejected());
        byType.noDefaultBranch();
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
