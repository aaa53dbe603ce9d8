package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.schemas.TopicNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics and traces of the message path on a real stack (broker, registry, topology, two edges): the Prometheus
 * scrape after sends, and one trace per message from the sender's handshake through the topology to each
 * delivering edge, seen by an in-memory span exporter shared by the topology and both edges.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> ROOM_ID = AttributeKey.stringKey("chat.room_id");

    private final HttpClient http = HttpClient.newHttpClient();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk topologyTelemetry = telemetry("natter-topologies");
    private final OpenTelemetrySdk edgeATelemetry = telemetry("edge-a");
    private final OpenTelemetrySdk edgeBTelemetry = telemetry("edge-b");
    private EdgeItStack stack;
    private EdgeServer edgeA;
    private EdgeServer edgeB;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "observability-it", 3, Map.of(), List.of(), topologyTelemetry);
        edgeA = stack.startEdge("edge-a", Map.of(), edgeATelemetry);
        edgeB = stack.startEdge("edge-b", Map.of(), edgeBTelemetry);
        tokens = stack.tokens();
        rest = new EdgeRest(http, edgeA::port, tokens);
    }

    @AfterAll
    void stopStack() {
        stack.close();
        topologyTelemetry.close();
        edgeATelemetry.close();
        edgeBTelemetry.close();
        http.close();
    }

    @Test
    void scrapeCountsIngestedSendsEveryCopysLatencyAndRejectionsByReason() throws Exception {
        String room = "metrics-" + UUID.randomUUID();
        rest.createRoom("alice", room, "public", List.of("bob"));
        try (WsTestClient alice = connect(edgeA, "alice");
             WsTestClient bob = connect(edgeA, "bob");
             WsTestClient carol = connect(edgeA, "carol")) {
            String before = scrape(edgeA);

            alice.send(send(room, "hello", "m1"));
            assertThat(nextOfType(alice, "MESSAGE").get("content").asText()).isEqualTo("hello");
            assertThat(nextOfType(bob, "MESSAGE").get("content").asText()).isEqualTo("hello");
            carol.send(send(room, "intrusion", "c1"));
            assertThat(nextOfType(carol, "ERROR").get("code").asText()).isEqualTo("NOT_A_MEMBER");

            // Both sends reached Kafka (the topology refused carol's); two copies of alice's were delivered here.
            await().atMost(FRAME_WAIT).untilAsserted(() -> {
                String after = scrape(edgeA);
                assertThat(value(after, "chat_messages_ingested_total") - value(before, "chat_messages_ingested_total"))
                        .isEqualTo(2.0);
                assertThat(value(after, "chat_messages_fanout_latency_ms_count{cross_region=\"false\"}")
                        - value(before, "chat_messages_fanout_latency_ms_count{cross_region=\"false\"}")).isGreaterThanOrEqualTo(2.0);
                // One fan-out record with two local recipients: dispatched once.
                assertThat(value(after, "chat_fanout_dispatch_ms_count") - value(before, "chat_fanout_dispatch_ms_count"))
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(value(after, "chat_messages_rejected_total{reason=\"NOT_A_MEMBER\"}")
                        - value(before, "chat_messages_rejected_total{reason=\"NOT_A_MEMBER\"}")).isEqualTo(1.0);
            });
            String scrape = scrape(edgeA);
            // At least these three (another test's sockets may still be closing).
            assertThat(value(scrape, "chat_ws_active_sessions")).isGreaterThanOrEqualTo(3.0);
            assertThat(scrape).contains(
                    "chat_messages_fanout_latency_ms_bucket{cross_region=\"false\",le=\"150.0\"}",
                    "chat_messages_fanout_latency_ms_bucket{cross_region=\"false\",le=\"+Inf\"}",
                    "chat_fanout_dispatch_ms_bucket{le=\"0.25\"}",
                    "kafka_consumer_fetch_manager_records_lag_max",
                    "kafka_producer_record_send_total",
                    "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "system_cpu_count",
                    "chat_outage_buffer_depth", "chat_frames_dropped_total", "presence_online_users");
            // No per-room or per-user label: the room id and user names appear nowhere in the scrape.
            assertThat(scrape).doesNotContain(room, "alice", "carol");
        }
    }

    @Test
    void oneMessageIsOneTraceFromTheSendersHandshakeThroughTheTopologyToEachDeliveringEdge() throws Exception {
        String room = "traced-" + UUID.randomUUID();
        rest.createRoom("alice", room, "public", List.of("bob"));
        try (WsTestClient alice = connect(edgeA, "alice"); WsTestClient bob = connect(edgeB, "bob")) {
            alice.send(send(room, "traced hello", "t1"));
            assertThat(nextOfType(bob, "MESSAGE").get("content").asText()).isEqualTo("traced hello");
            assertThat(nextOfType(alice, "MESSAGE").get("content").asText()).isEqualTo("traced hello");

            SpanData publish = await().atMost(FRAME_WAIT).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getKind() == SpanKind.PRODUCER && room.equals(span.getAttributes().get(ROOM_ID)))
                    // The room's creation (REST) was published too, outside any socket: the send is the one with a parent.
                    .filter(span -> span.getParentSpanContext().isValid())
                    .findFirst().orElse(null), span -> span != null);
            assertThat(publish.getName()).isEqualTo("send " + TopicNames.MESSAGE_REQUESTED);
            String traceId = publish.getTraceId();
            // handshake, publish, the topology's processing, and the fan-out consumed on each edge.
            List<SpanData> trace = await().atMost(FRAME_WAIT).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId)).toList(), found -> found.size() >= 5);

            SpanData handshake = only(trace, "GET /ws", "edge-a");
            SpanData process = only(trace, "process " + TopicNames.MESSAGE_REQUESTED, "natter-topologies");
            SpanData deliveredA = only(trace, "process " + TopicNames.FANOUT, "edge-a");
            SpanData deliveredB = only(trace, "process " + TopicNames.FANOUT, "edge-b");
            assertThat(trace).containsExactlyInAnyOrder(handshake, publish, process, deliveredA, deliveredB);

            assertThat(handshake.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(handshake.getParentSpanContext().isValid()).isFalse();
            assertThat(handshake.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(101L);
            assertThat(publish.getParentSpanId()).isEqualTo(handshake.getSpanId());
            assertThat(service(publish)).isEqualTo("edge-a");
            assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
            assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                    .isEqualTo(TopicNames.MESSAGE_REQUESTED);
            assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.operation.type"))).isEqualTo("send");
            assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
            for (SpanData delivered : List.of(deliveredA, deliveredB)) {
                assertThat(delivered.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(delivered.getParentSpanId()).isEqualTo(process.getSpanId());
            }
            for (SpanData span : List.of(publish, process, deliveredA, deliveredB)) {
                assertThat(span.getAttributes().get(ROOM_ID)).as(span.getName()).isEqualTo(room);
            }
        }
    }

    private static SpanData only(List<SpanData> trace, String name, String service) {
        List<SpanData> matching = trace.stream()
                .filter(span -> span.getName().equals(name) && service.equals(service(span))).toList();
        assertThat(matching).as(name + " at " + service + " in " + trace).hasSize(1);
        return matching.getFirst();
    }

    private static String service(SpanData span) {
        return span.getResource().getAttribute(SERVICE);
    }

    private OpenTelemetrySdk telemetry(String service) {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE, service))))
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    private String scrape(EdgeServer edge) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sample of {@code series} (name plus labels, exactly as scraped), 0 when absent. */
    private static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0.0;
    }

    private WsTestClient connect(EdgeServer edge, String user) {
        return WsTestClient.connect(http, edge.port(), user, tokens.sign(user, Duration.ofMinutes(10)));
    }

    /** The next frame of {@code type}, skipping others (presence, acks). */
    private static JsonNode nextOfType(WsTestClient client, String type) {
        while (true) {
            JsonNode frame = client.next(FRAME_WAIT);
            if (frame.get("type").asText().equals(type)) {
                return frame;
            }
        }
    }

    private static String send(String roomId, String content, String clientMsgId) {
        return "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
    }
}
