package io.natter.topologies.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.topologies.Retention;
import io.natter.topologies.RoomTopology;
import io.natter.topologies.TopologiesConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingProcessorWrapperTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

    @TempDir
    Path stateDir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        telemetry.close();
    }

    @Test
    void judgesEachCommandInAChildSpanWhoseContextEveryOutputCarries() {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);
        Properties props = new Properties();
        props.putAll(TopologiesConfig.fromEnv(Map.of(TopologiesConfig.STATE_DIR.name(), stateDir.toString()))
                .streamsConfig());
        props.put(StreamsConfig.PROCESSOR_WRAPPER_CLASS_CONFIG, TracingProcessorWrapper.class);
        props.put(TracingProcessorWrapper.OPEN_TELEMETRY_CONFIG, telemetry);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        RoomTopology.build(builder, topics, "us", new Retention(Duration.ofHours(1), 5, Duration.ofHours(2)),
                Clock.fixed(NOW, ZoneOffset.UTC), () -> "id");
        driver = new TopologyTestDriver(builder.build(props), props, NOW);
        Topic<String, RoomCommand> commands = topics.messageRequested();

        Headers headers = new RecordHeaders();
        headers.add("traceparent", ("00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01").getBytes(StandardCharsets.UTF_8));
        headers.add("natter-received-at", "1234".getBytes(StandardCharsets.UTF_8));
        driver.createInputTopic(commands.name(), commands.keySerde().serializer(), commands.valueSerde().serializer())
                .pipeInput(new TestRecord<>("lobby", createRoom("lobby"), headers, NOW));

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).hasSize(1);
        SpanData judged = finished.getFirst();
        assertThat(judged.getName()).isEqualTo("process " + commands.name());
        assertThat(judged.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(judged.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(judged.getParentSpanId()).isEqualTo(PARENT_SPAN_ID);
        assertThat(judged.getAttributes().get(AttributeKey.stringKey("chat.room_id"))).isEqualTo("lobby");
        assertThat(judged.getAttributes().get(AttributeKey.stringKey("messaging.operation.type"))).isEqualTo("process");

        var membership = topics.roomMembership();
        List<TestRecord<String, ?>> outputs = List.copyOf(driver.createOutputTopic(membership.name(),
                membership.keySerde().deserializer(), membership.valueSerde().deserializer()).readRecordsToList());
        assertThat(outputs).hasSize(1);
        Headers out = outputs.getFirst().headers();
        assertThat(new String(out.lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo("00-" + TRACE_ID + "-" + judged.getSpanId() + "-01");
        assertThat(new String(out.lastHeader("natter-received-at").value(), StandardCharsets.UTF_8)).isEqualTo("1234");
    }

    private static RoomCommand createRoom(String roomId) {
        return RoomCommand.newBuilder()
                .setEventType("chat.room.create.requested.v1")
                .setEventId("e1")
                .setOccurredAt(NOW)
                .setRegion("us")
                .setSchemaVersion(1)
                .setCommandId("c1")
                .setActorId("alice")
                .setOrigin(new Origin("edge-1", "session-1"))
                .setPayload(new CreateRoomRequested(roomId, "Lobby", RoomVisibility.PUBLIC, List.of("bob")))
                .build();
    }
}
