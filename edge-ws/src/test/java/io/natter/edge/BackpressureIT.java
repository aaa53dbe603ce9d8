package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.natter.edge.auth.HmacTokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure through the real WebSocket against the real stack: a flooding sender is rate limited (and only its
 * accepted sends reach Kafka), and a reader that stops reading is closed with 4008 while its room-mates get everything.
 * Two edges: one with a tight rate limit, one with room for a bulk sender.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackpressureIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(30);
    private static final int RATE_PER_SECOND = 1;
    private static final int BURST = 10;
    private static final int FLOOD = 30;
    // Large messages fill the stalled reader's kernel buffers (a few MB on loopback) quickly.
    private static final int BULK_CONTENT_BYTES = 60_000;
    private static final int BULK_MESSAGES = 300;

    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeItStack stack;
    private EdgeServer limitedEdge;
    private EdgeServer bulkEdge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "backpressure-it", 3, Map.of());
        limitedEdge = stack.startEdge("edge-limited", Map.of(
                "NATTER_REQUEST_TIMEOUT_MS", "30000",
                "NATTER_RATE_LIMIT_PER_SECOND", String.valueOf(RATE_PER_SECOND),
                "NATTER_RATE_LIMIT_BURST", String.valueOf(BURST)));
        bulkEdge = stack.startEdge("edge-bulk", Map.of(
                "NATTER_REQUEST_TIMEOUT_MS", "30000",
                "NATTER_RATE_LIMIT_PER_SECOND", "100000",
                "NATTER_RATE_LIMIT_BURST", "100000",
                "NATTER_MAX_CONTENT_BYTES", "65536",
                "NATTER_MAX_FRAME_BYTES", "131072"));
        tokens = stack.tokens();
        rest = new EdgeRest(http, limitedEdge::port, tokens);
    }

    @AfterAll
    void stopStack() {
        stack.close();
        http.close();
    }

    @Test
    void aFloodingSenderIsRateLimitedStaysConnectedAndOnlyItsAcceptedSendsReachKafka() throws Exception {
        String room = "flood-" + UUID.randomUUID();
        rest.createRoom("fay", room, "private", List.of());
        try (WsTestClient fay = WsTestClient.connect(http, limitedEdge.port(), "fay", tokens.sign("fay", Duration.ofMinutes(10)))) {
            long started = System.nanoTime();
            for (int i = 1; i <= FLOOD; i++) {
                fay.send(send(room, "flood " + i, "f-" + i));
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            Map<String, JsonNode> acks = new HashMap<>();
            List<JsonNode> errors = new ArrayList<>();
            List<JsonNode> messages = new ArrayList<>();
            while (acks.size() + errors.size() < FLOOD || messages.size() < acks.size()) {
                JsonNode frame = fay.next(FRAME_WAIT);
                switch (frame.get("type").asText()) {
                    case "ACK" -> acks.put(frame.get("clientMsgId").asText(), frame);
                    case "ERROR" -> errors.add(frame);
                    case "MESSAGE" -> messages.add(frame);
                    default -> throw new AssertionError("unexpected frame " + frame);
                }
            }
            // The burst at once, plus at most what the rate refilled while the frames went out.
            assertThat(acks.size()).isBetween(BURST, BURST + 1 + (int) (elapsedMs * RATE_PER_SECOND / 1000));
            assertThat(errors).hasSize(FLOOD - acks.size());
            Set<String> refused = new HashSet<>();
            for (JsonNode error : errors) {
                assertThat(fieldNames(error)).containsExactlyInAnyOrder("type", "code", "message", "ref", "retryAfterMs");
                assertThat(error.get("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(error.get("retryAfterMs").asLong()).isBetween(1L, 1000L / RATE_PER_SECOND);
                refused.add(error.get("ref").asText());
            }
            assertThat(refused).hasSize(errors.size()).doesNotContainAnyElementsOf(acks.keySet());

            // Still open and served.
            fay.send("{\"type\":\"PING\"}");
            assertThat(fay.next(FRAME_WAIT).get("type").asText()).isEqualTo("PONG");
            assertThat(fay.isOpen()).isTrue();

            List<String> expected = messages.stream().map(m -> m.get("seq").asLong() + "|" + m.get("content").asText()).toList();
            assertThat(expected).hasSize(acks.size());
            assertThat(sentRecords(room)).containsExactlyInAnyOrderElementsOf(expected);
            fay.assertNoFrameWithin(Duration.ofMillis(500));
            System.out.printf("flood of %d in %d ms: %d accepted, %d RATE_LIMITED%n", FLOOD, elapsedMs, acks.size(),
                    errors.size());
        }
    }

    @Test
    void aReaderThatStopsReadingIsClosedWith4008WhileItsRoomMatesReceiveEveryMessage() throws Exception {
        String room = "slow-" + UUID.randomUUID();
        rest.createRoom("sam", room, "private", List.of("rita", "stan"));
        double closesBefore = slowConsumerCloses();
        StalledReader stan = StalledReader.connect(http, bulkEdge.port(), tokens.sign("stan", Duration.ofMinutes(10)));
        try (WsTestClient sam = WsTestClient.connect(http, bulkEdge.port(), "sam", tokens.sign("sam", Duration.ofMinutes(10)));
             WsTestClient rita = WsTestClient.connect(http, bulkEdge.port(), "rita", tokens.sign("rita", Duration.ofMinutes(10)))) {
            await().atMost(FRAME_WAIT).until(() -> bulkEdge.sessionCount() == 3);
            String filler = "x".repeat(BULK_CONTENT_BYTES);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= BULK_MESSAGES; i++) {
                    sam.send(send(room, i + " " + filler, "s-" + i));
                }
            });
            // Rita reads as the messages come: every one, in seq order, while Stan is stalled and then closed.
            long started = System.nanoTime();
            for (int seq = 1; seq <= BULK_MESSAGES; seq++) {
                JsonNode frame = rita.next(FRAME_WAIT);
                assertThat(frame.get("type").asText()).isEqualTo("MESSAGE");
                assertThat(frame.get("seq").asLong()).isEqualTo(seq);
            }
            long ritaMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            sending.join();
            rita.assertNoFrameWithin(Duration.ofMillis(500));
            await().atMost(FRAME_WAIT).until(() -> slowConsumerCloses() == closesBefore + 1);

            int samMessages = 0;
            int samAcks = 0;
            while (samMessages < BULK_MESSAGES || samAcks < BULK_MESSAGES) {
                String type = sam.next(FRAME_WAIT).get("type").asText();
                assertThat(type).isIn("MESSAGE", "ACK");
                if (type.equals("MESSAGE")) {
                    samMessages++;
                } else {
                    samAcks++;
                }
            }
            assertThat(sam.isOpen()).isTrue();
            assertThat(rita.isOpen()).isTrue();

            // Stan reads again: what was queued before the breach, then the close with 4008.
            stan.readEverything();
            assertThat(stan.close.get(30, TimeUnit.SECONDS)).isEqualTo("4008 slow consumer: resume from your last seq");
            assertThat(stan.messages.get()).isLessThan(BULK_MESSAGES);
            System.out.printf("rita got %d x %d B in %d ms; stan got %d before 4008%n",
                    BULK_MESSAGES, BULK_CONTENT_BYTES, ritaMs, stan.messages.get());
        }
        assertThat(scrape(bulkEdge)).contains("chat_slow_consumer_closes_total").contains("chat_frames_dropped_total");
    }

    private String scrape(EdgeServer edge) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private double slowConsumerCloses() {
        return bulkEdge.metrics().get(EdgeServer.SLOW_CONSUMER_CLOSES_COUNTER).counter().count();
    }

    /** A WebSocket client that reads nothing after the handshake until told to. */
    private static final class StalledReader implements WebSocket.Listener {
        final CompletableFuture<String> close = new CompletableFuture<>();
        final AtomicLong messages = new AtomicLong();
        private WebSocket socket;

        static StalledReader connect(HttpClient http, int port, String token) {
            StalledReader reader = new StalledReader();
            reader.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), reader).join();
            return reader;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            // No request(): the client reads nothing, so the server's writes pile up.
        }

        void readEverything() {
            socket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (last) {
                messages.incrementAndGet();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            close.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            close.completeExceptionally(error);
        }
    }

    private List<String> sentRecords(String room) {
        return stack.sentMessages().stream().filter(m -> room.equals(m.getRoomId()))
                .map(m -> m.getSeq() + "|" + m.getContent()).toList();
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
