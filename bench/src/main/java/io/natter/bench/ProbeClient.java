package io.natter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A WebSocket client of the exit-criteria checks: few frames, so each is parsed into a tree and kept, with the
 * {@code nanoTime} it arrived, for the check to wait on. Unlike {@link LoadClient} it can drop its TCP connection
 * without a close handshake ({@link #abort()}).
 */
final class ProbeClient implements WebSocket.Listener, AutoCloseable {
    /** A server frame and when it arrived. */
    record Frame(JsonNode json, long receivedNanos) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String user;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<LoadClient.Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final Object arrivals = new Object();
    private volatile WebSocket socket;
    private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);

    private ProbeClient(String user) {
        this.user = user;
    }

    /** Connects {@code user} with its token; fails with the handshake's reason. */
    static ProbeClient connect(HttpClient http, URI edge, String user, String token) throws IOException,
            InterruptedException {
        ProbeClient client = new ProbeClient(user);
        try {
            client.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .connectTimeout(CONNECT_TIMEOUT).buildAsync(edge, client)
                    .get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            client.lastSend = CompletableFuture.completedFuture(client.socket);
            return client;
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("connecting " + user + " to " + edge + ": " + LoadClient.failureReason(e), e);
        }
    }

    String user() {
        return user;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                frames.add(new Frame(JSON.readTree(text), now));
            } catch (IOException e) {
                frames.add(new Frame(JSON.createObjectNode().put("type", "(unparsable)").put("text", text), now));
            }
            synchronized (arrivals) {
                arrivals.notifyAll();
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new LoadClient.Closed(statusCode, reason, System.nanoTime()));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new LoadClient.Closed(LoadClient.Closed.ERROR, LoadClient.failureReason(error),
                System.nanoTime()));
    }

    /** Writes a frame after any still in flight; the JDK allows one outstanding send. */
    synchronized void send(String frame) {
        lastSend = lastSend.thenCompose(ws -> ws.sendText(frame, true));
    }

    /** Completes once every frame handed to {@link #send} is written. */
    synchronized CompletableFuture<WebSocket> sent() {
        return lastSend;
    }

    /** Every frame received so far, in order. */
    List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The first frame (from index {@code from} on) that matches, waiting up to {@code timeout} for it. */
    Optional<Frame> await(Predicate<JsonNode> match, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (true) {
                for (int i = from; i < frames.size(); i++) {
                    if (match.test(frames.get(i).json())) {
                        return Optional.of(frames.get(i));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(arrivals, left);
            }
        }
    }

    /** Sends a normal close and waits for the server's; returns when the close was started ({@code nanoTime}). */
    long closeNormally() throws InterruptedException {
        long start = System.nanoTime();
        try {
            sent().thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "done")).thenCompose(ws -> closed)
                    .get(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // No close handshake in time: the connection is dropped instead; presence sees a disconnect either way.
            socket.abort();
        }
        return start;
    }

    /** Drops the TCP connection with no close frame, as a client that lost its network would; returns when. */
    long abort() {
        long at = System.nanoTime();
        socket.abort();
        return at;
    }

    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            try {
                closeNormally();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                socket.abort();
            }
        } else {
            socket.abort();
        }
    }
}
