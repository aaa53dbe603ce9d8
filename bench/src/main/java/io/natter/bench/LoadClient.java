package io.natter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection of the generator over the JDK client. It hands each whole text frame to its handler with
 * the time it arrived, and asks for the next frame only while it is reading: a stalled client never asks, so the
 * JDK stops reading its socket and the edge's writes to it pile up, as with a reader that went to sleep.
 */
final class LoadClient implements WebSocket.Listener {
    /** Receives each text frame, on a client thread. */
    @FunctionalInterface
    interface Handler {
        void onFrame(String text, long receivedNanos);
    }

    /** How the connection ended: the close code and reason the server sent, or -1 and the error. */
    record Closed(int code, String reason, long atNanos) {
        static final int ERROR = -1;
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Handler handler;
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private volatile boolean reading;
    private volatile WebSocket socket;
    private CompletableFuture<WebSocket> lastSend;

    private static final int MAX_RATE_LIMITED_RETRIES = 600;

    private LoadClient(Handler handler, boolean reading) {
        this.handler = handler;
        this.reading = reading;
    }

    /** Opens a connection with {@code Authorization: Bearer token}; a stalled one ({@code reading} false) reads nothing. */
    static CompletableFuture<LoadClient> connect(HttpClient http, URI edge, String token, Handler handler,
            boolean reading) {
        return connect(http, edge, token, handler, reading, MAX_RATE_LIMITED_RETRIES);
    }

    /**
     * As a well-behaved client does, a handshake refused with 429 (the edge's per-address handshake rate, or a
     * per-user cap) is retried after its {@code Retry-After}: a thousand connections from one address otherwise
     * exceed the default handshake burst.
     */
    private static CompletableFuture<LoadClient> connect(HttpClient http, URI edge, String token, Handler handler,
            boolean reading, int retriesLeft) {
        return open(http, edge, token, handler, reading).handle((client, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(client);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (retriesLeft > 0 && cause instanceof WebSocketHandshakeException handshake
                    && handshake.getResponse().statusCode() == 429) {
                long waitMs = handshake.getResponse().headers().firstValueAsLong("Retry-After").orElse(1) * 1000
                        + ThreadLocalRandom.current().nextLong(250);
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> connect(http, edge, token, handler, reading, retriesLeft - 1));
            }
            return CompletableFuture.<LoadClient>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private static CompletableFuture<LoadClient> open(HttpClient http, URI edge, String token, Handler handler,
            boolean reading) {
        LoadClient client = new LoadClient(handler, reading);
        return http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(30))
                .buildAsync(edge, client)
                .thenApply(socket -> {
                    client.socket = socket;
                    client.lastSend = CompletableFuture.completedFuture(socket);
                    return client;
                });
    }

    /** Why a connect failed, short: {@code HTTP 401}, or the exception's class and message. */
    static String failureReason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException handshake) {
            return "HTTP " + handshake.getResponse().statusCode();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            handler.onFrame(text, now);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason, System.nanoTime()));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(Closed.ERROR, failureReason(error), System.nanoTime()));
    }

    /** Completes when the server closed the connection or it failed. */
    CompletableFuture<Closed> closed() {
        return closed;
    }

    /** Starts (or goes on) reading: a stalled client now takes in everything the edge queued for it. */
    void resumeReading() {
        reading = true;
        socket.request(1);
    }

    /**
     * Writes a text frame after any still in flight (the JDK allows one outstanding send); false if the connection
     * is closed or a send failed, so the caller stops sending.
     */
    synchronized boolean send(String frame) {
        if (closed.isDone() || lastSend.isCompletedExceptionally() || socket.isOutputClosed()) {
            return false;
        }
        lastSend = lastSend.isDone()
                ? socket.sendText(frame, true)
                : lastSend.thenCompose(ws -> ws.sendText(frame, true));
        return true;
    }

    /** Closes normally; completes when the server answered, or after a few seconds with the connection dropped. */
    CompletableFuture<Void> closeAsync() {
        CompletableFuture<WebSocket> sent;
        synchronized (this) {
            sent = socket.isOutputClosed() ? CompletableFuture.completedFuture(socket)
                    : lastSend.exceptionally(error -> socket)
                            .thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        }
        return sent.thenCompose(ws -> closed)
                .orTimeout(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((done, error) -> {
                    if (error != null) {
                        // No timely close handshake (a stalled socket, an edge gone): drop the connection.
                        socket.abort();
                    }
                    return null;
                });
    }
}
