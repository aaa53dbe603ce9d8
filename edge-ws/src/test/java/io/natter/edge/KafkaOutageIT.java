package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.natter.edge.auth.HmacTokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka outage through the real WebSocket: the broker is stopped and restarted on the same data dir and port while
 * a client sends. The edge buffers the newest writes, drops the oldest (DROPPED), reports not-ready and the buffer's
 * depth, and when Kafka returns publishes what it kept, in order; the topology (Kafka Streams) survives the restart.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaOutageIT {
    private static final int BUFFER = 5;
    private static final int SENDS = 8;
    private static final Duration FRAME_WAIT = Duration.ofSeconds(30);
    // Detection is probe interval + timeout (~3 s); recovery includes the broker's own start-up.
    private static final Duration STATE_WAIT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(12);

    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "outage-it", 3, Map.of());
        edge = stack.startEdge("edge-outage", Map.of(
                "NATTER_OUTAGE_BUFFER_MAX_COMMANDS", String.valueOf(BUFFER),
                "NATTER_REQUEST_TIMEOUT_MS", String.valueOf(REQUEST_TIMEOUT.toMillis())));
        tokens = stack.tokens();
        rest = new EdgeRest(http, edge::port, tokens);
    }

    @AfterAll
    void stopStack() {
        stack.close();
        http.close();
    }

    @Test
    void duringAnOutageTheOldestWritesAreDroppedAndTheNewestArePublishedInOrderWhenKafkaReturns() throws Exception {
        String room = rest.createRoom("alice", "outage-room", "private", List.of("bob"));
        try (WsTestClient alice = WsTestClient.connect(http, edge.port(), "alice", tokens.sign("alice", Duration.ofMinutes(10)));
             WsTestClient bob = WsTestClient.connect(http, edge.port(), "bob", tokens.sign("bob", Duration.ofMinutes(10)))) {
            alice.send(send(room, "before", "c0"));
            assertThat(receive(bob, 1)).containsExactly("MESSAGE 1 before");
            assertThat(receive(alice, 2)).containsExactlyInAnyOrder("MESSAGE 1 before", "ACK c0 1");

            long stopped = System.nanoTime();
            stack.stopBroker();
            await().atMost(STATE_WAIT).until(() -> readiness() == 503);
            long detectedMs = millisSince(stopped);
            assertThat(metric("chat_kafka_up")).isZero();
            HttpResponse<String> refusedCreate = rest.post("/api/rooms", "alice",
                    "{\"roomId\":\"during-outage\",\"name\":\"x\",\"visibility\":\"public\",\"members\":[]}");
            assertThat(refusedCreate.statusCode()).isEqualTo(503);
            assertThat(refusedCreate.body()).startsWith("{\"code\":\"UNAVAILABLE\"");

            for (int i = 1; i <= SENDS; i++) {
                alice.send(send(room, "outage " + i, "c" + i));
            }
            // The oldest SENDS - BUFFER are given up as the newest arrive; nothing else is answered while Kafka is away.
            List<JsonNode> dropped = new ArrayList<>();
            for (int i = 1; i <= SENDS - BUFFER; i++) {
                dropped.add(alice.next(FRAME_WAIT));
            }
            for (int i = 0; i < dropped.size(); i++) {
                JsonNode error = dropped.get(i);
                assertThat(fieldNames(error)).containsExactly("type", "code", "message", "ref");
                assertThat(error.get("type").asText()).isEqualTo("ERROR");
                assertThat(error.get("code").asText()).isEqualTo("DROPPED");
                assertThat(error.get("ref").asText()).isEqualTo("c" + (i + 1));
                assertThat(error.get("message").asText()).contains("outage buffer (" + BUFFER + " commands) was full");
            }
            await().atMost(FRAME_WAIT).until(() -> metric("chat_outage_buffer_depth") == BUFFER);
            assertThat(metric("chat_outage_dropped_total")).isEqualTo(SENDS - BUFFER);
            // Longer than the request timeout: a write waiting in the buffer is not answered TIMEOUT.
            alice.assertNoFrameWithin(REQUEST_TIMEOUT.plusSeconds(1));
            bob.assertNoFrameWithin(Duration.ZERO);
            assertThat(readiness()).isEqualTo(503);

            long restarted = System.nanoTime();
            stack.restartBroker();
            long brokerUpMs = millisSince(restarted);
            await().atMost(STATE_WAIT).until(() -> readiness() == 200);
            long readyMs = millisSince(restarted);

            // The newest BUFFER writes, in the order sent, with consecutive seqs after the one before the outage.
            List<String> published = IntStream.rangeClosed(SENDS - BUFFER + 1, SENDS)
                    .mapToObj(i -> "MESSAGE " + (i - (SENDS - BUFFER) + 1) + " outage " + i).toList();
            assertThat(receive(bob, BUFFER)).containsExactlyElementsOf(published);
            long deliveredMs = millisSince(restarted);
            List<String> aliceFrames = receive(alice, 2 * BUFFER);
            assertThat(aliceFrames.stream().filter(f -> f.startsWith("MESSAGE")).toList())
                    .containsExactlyElementsOf(published);
            assertThat(aliceFrames.stream().filter(f -> f.startsWith("ACK")).toList()).containsExactlyElementsOf(
                    IntStream.rangeClosed(SENDS - BUFFER + 1, SENDS).mapToObj(i -> "ACK c" + i + " " + (i - (SENDS - BUFFER) + 1))
                            .toList());
            alice.assertNoFrameWithin(Duration.ofSeconds(1));
            bob.assertNoFrameWithin(Duration.ZERO);

            Map<Long, String> inTopic = new LinkedHashMap<>();
            stack.sentMessages().stream().filter(m -> room.equals(m.getRoomId()))
                    .forEach(m -> assertThat(inTopic.put(m.getSeq(), m.getContent() + " " + m.getClientMsgId())).isNull());
            Map<Long, String> expected = new LinkedHashMap<>();
            expected.put(1L, "before c0");
            IntStream.rangeClosed(SENDS - BUFFER + 1, SENDS)
                    .forEach(i -> expected.put((long) (i - (SENDS - BUFFER) + 1), "outage " + i + " c" + i));
            assertThat(inTopic).containsExactlyEntriesOf(expected);

            assertThat(metric("chat_outage_dropped_total")).isEqualTo(SENDS - BUFFER);
            assertThat(metric("chat_outage_buffer_depth")).isZero();
            assertThat(metric("chat_kafka_up")).isOne();
            assertThat(readiness()).isEqualTo(200);
            rest.createRoom("alice", "after-outage", "public", List.of());
            System.out.printf("outage noticed %d ms after the stop; broker restarted in %d ms, edge ready %d ms and the "
                    + "buffered messages delivered %d ms after the restart began%n", detectedMs, brokerUpMs, readyMs, deliveredMs);
        }
    }

    /** The next {@code count} frames as "MESSAGE seq content" or "ACK clientMsgId seq"; anything else fails. */
    private static List<String> receive(WsTestClient client, int count) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode frame = client.next(FRAME_WAIT);
            switch (frame.get("type").asText()) {
                case "MESSAGE" -> frames.add("MESSAGE " + frame.get("seq").asLong() + " " + frame.get("content").asText());
                case "ACK" -> frames.add("ACK " + frame.get("clientMsgId").asText() + " " + frame.get("seq").asLong());
                default -> throw new AssertionError(client + ": unexpected frame " + frame);
            }
        }
        return frames;
    }

    private int readiness() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The value of an untagged meter in the edge's Prometheus scrape. */
    private double metric(String name) throws Exception {
        String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return scrape.lines().filter(line -> line.startsWith(name + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(name + " not in the scrape"));
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static String send(String roomId, String content, String clientMsgId) {
        return "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
    }
}
