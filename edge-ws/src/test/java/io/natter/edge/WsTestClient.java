package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client for tests: every text frame the server sends lands, parsed, in a queue. */
final class WsTestClient implements WebSocket.Listener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final String name;
    private WebSocket socket;

    private WsTestClient(String name) {
        this.name = name;
    }

    /** Opens {@code /ws} with the token in the Authorization header. */
    static WsTestClient connect(HttpClient http, int port, String name, String token) {
        WsTestClient client = new WsTestClient(name);
        client.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), client)
                .join();
        return client;
    }

    /** Opens {@code /ws?<query>} with the token in the Authorization header. */
    static WsTestClient connect(HttpClient http, int port, String name, String token, String query) {
        WsTestClient client = new WsTestClient(name);
        client.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?" + query), client)
                .join();
        return client;
    }

    /** Opens {@code /ws?access_token=...}, as a browser would. */
    static WsTestClient connectWithQueryToken(HttpClient http, int port, String name, String token) {
        WsTestClient client = new WsTestClient(name);
        client.socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + token), client)
                .join();
        return client;
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Sends {@code data} as one binary message. */
    void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** The next frame, failing the test if none arrives within {@code timeout}. */
    JsonNode next(Duration timeout) {
        try {
            JsonNode frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(frame).as("%s: a frame within %s", name, timeout).isNotNull();
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, or null if none arrives within {@code timeout}. */
    JsonNode poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts no further frame arrives within {@code quiet}. */
    void assertNoFrameWithin(Duration quiet) {
        try {
            JsonNode extra = frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(extra).as("%s: unexpected frame", name).isNull();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Completes with the close status when the server closes the socket. */
    CompletableFuture<Integer> closeStatus() {
        return closeStatus;
    }

    boolean isOpen() {
        return !socket.isInputClosed() && !socket.isOutputClosed();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (JsonProcessingException e) {
                frames.add(JSON.createObjectNode().put("unparseable", partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeStatus.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeStatus.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (isOpen()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        socket.abort();
    }

    @Override
    public String toString() {
        return name;
    }
}
