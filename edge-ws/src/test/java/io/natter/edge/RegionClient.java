package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A WebSocket client of the cross-region ITs: a reader thread takes every frame as it arrives and stamps it
 * ({@link System#nanoTime}, comparable between clients of one JVM), so latency is arrival minus the sender's stamp.
 */
final class RegionClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A frame and when it arrived. */
    record Received(JsonNode frame, long atNanos) {
        String type() {
            return frame.get("type").asText();
        }
    }

    private final String name;
    private final WsTestClient socket;
    private final List<Received> frames = new CopyOnWriteArrayList<>();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean open = true;

    private RegionClient(String name, WsTestClient socket) {
        this.name = name;
        this.socket = socket;
        this.reader = Thread.ofPlatform().name("reader-" + name).daemon().start(this::read);
    }

    static RegionClient connect(HttpClient http, EdgeServer edge, String user, String token) {
        return new RegionClient(user + "@" + edge.nodeId(), WsTestClient.connect(http, edge.port(), user, token));
    }

    private void read() {
        while (open) {
            JsonNode frame = socket.poll(Duration.ofMillis(200));
            if (frame != null) {
                frames.add(new Received(frame, System.nanoTime()));
            }
        }
    }

    /** Sends SEND_MESSAGE with {@code clientMsgId}, stamping the time. */
    void send(String roomId, String content, String clientMsgId) {
        sentAt.putIfAbsent(clientMsgId, System.nanoTime());
        socket.send(json(Map.of("type", "SEND_MESSAGE", "roomId", roomId, "content", content, "clientMsgId", clientMsgId)));
    }

    /** Sends RESUME for one room from {@code lastSeq} of {@code epoch}. */
    void resume(String roomId, long lastSeq, int epoch) {
        socket.send(json(Map.of("type", "RESUME", "rooms", Map.of(roomId, lastSeq), "epochs", Map.of(roomId, epoch))));
    }

    /** When {@code clientMsgId} was first sent (nanoTime). */
    long sentAt(String clientMsgId) {
        return sentAt.get(clientMsgId);
    }

    List<Received> frames(String type) {
        List<Received> matching = new ArrayList<>();
        for (Received received : frames) {
            if (received.type().equals(type)) {
                matching.add(received);
            }
        }
        return matching;
    }

    /** The MESSAGE frames of {@code roomId}, in arrival order. */
    List<Received> messages(String roomId) {
        return frames("MESSAGE").stream().filter(r -> r.frame().get("roomId").asText().equals(roomId)).toList();
    }

    /** The ACK or ERROR answering {@code clientMsgId}, once it came. */
    JsonNode answer(String clientMsgId, Duration timeout) {
        return answerReceived(clientMsgId, timeout).frame();
    }

    /** As {@link #answer}, with its arrival time. */
    Received answerReceived(String clientMsgId, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> findAnswer(clientMsgId) != null);
        return findAnswer(clientMsgId);
    }

    /** Latency of {@code clientMsgId}'s answer: its arrival minus the send, in µs. */
    long answerMicros(String clientMsgId, Duration timeout) {
        return java.util.concurrent.TimeUnit.NANOSECONDS.toMicros(
                answerReceived(clientMsgId, timeout).atNanos() - sentAt(clientMsgId));
    }

    private Received findAnswer(String clientMsgId) {
        for (Received received : frames) {
            JsonNode frame = received.frame();
            if (("ACK".equals(received.type()) && clientMsgId.equals(frame.path("clientMsgId").asText()))
                    || ("ERROR".equals(received.type()) && clientMsgId.equals(frame.path("ref").asText()))) {
                return received;
            }
        }
        return null;
    }

    /** Waits until {@code count} MESSAGE frames of {@code roomId} arrived. */
    void awaitMessages(String roomId, int count, Duration timeout) {
        await().atMost(timeout).untilAsserted(() -> assertThat(messages(roomId)).as(name).hasSizeGreaterThanOrEqualTo(count));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() {
        open = false;
        socket.close();
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
