package io.natter.topologies;

import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RegionStatusDeclared;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** Records, constants and the driver set-up of the two-region topology tests (region {@code us}, peer {@code eu}). */
final class RegionTestRecords {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String US = "us";
    static final String EU = "eu";
    static final Origin US_EDGE = new Origin("edge-us-1", "s-us");
    static final Origin EU_EDGE = new Origin("edge-eu-1", "s-eu");
    static final Retention RETENTION = new Retention(Duration.ofHours(1), 100, Duration.ofDays(1));

    private RegionTestRecords() {}

    static RoomCommand command(String commandId, String actor, String region, Origin origin, Object payload) {
        return new RoomCommand("chat.command.v1", "ev-" + commandId, NOW, region, Envelopes.SCHEMA_VERSION, commandId,
                actor, origin, payload);
    }

    static SendMessageRequested send(String roomId, String content, String clientMsgId) {
        return new SendMessageRequested(roomId, content, clientMsgId, List.of());
    }

    static CommandRejected rejectedEvent(String eventId, Rejection rejection) {
        return new CommandRejected("chat.message.rejected.v1", eventId, NOW, US, Envelopes.SCHEMA_VERSION, rejection);
    }

    /** An operator's declaration, as written to {@code chat.region.status.v1} in region us. */
    static RegionStatus regionStatus(String region, RegionAvailability status) {
        return new RegionStatus("chat.region.status.v1", "st-" + region + "-" + status, NOW, US,
                Envelopes.SCHEMA_VERSION, new RegionStatusDeclared(region, status, "ops", null));
    }

    /**
     * A test driver for the room topology of region us with peer eu, judging behind {@code fence}: its clock stands at
     * {@link #NOW}, its ids are id-1, id-2, ... in order, its state is in {@code stateDir}.
     */
    static TopologyTestDriver driver(Topics topics, RegionFence fence, Path stateDir) {
        AtomicLong ids = new AtomicLong();
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, new Regions(US, List.of(EU)), RETENTION, new TestClock(NOW),
                () -> "id-" + ids.incrementAndGet(), fence);
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.of(TopologiesConfig.STATE_DIR.name(), stateDir.toString(),
                TopologiesConfig.PEER_REGIONS.name(), EU));
        Properties props = new Properties();
        props.putAll(config.streamsConfig());
        return new TopologyTestDriver(builder.build(props), props, NOW);
    }

    static <V> TestInputTopic<String, V> input(TopologyTestDriver driver, Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }
}
