package io.natter.bench;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection of the generator over Netty. It hands each whole text frame to its handler, on its event
 * loop, with the time it was decoded; a stalled client keeps autoRead off, so nothing reads its socket and the edge's
 * writes to it pile up in the kernel buffers, as with a reader that went to sleep.
 */
final class LoadClient extends ChannelInboundHandlerAdapter {
    /** Receives each whole text frame, on the connection's event-loop thread: keep it short. */
    @FunctionalInterface
    interface Handler {
        void onFrame(String text, long receivedNanos);
    }

    /** How the connection ended: the close code and reason the server sent, or -1 and the error. */
    record Closed(int code, String reason, long atNanos) {
        static final int ERROR = -1;
        /** What a close frame without a status code means (RFC 6455 7.4.1), as the JDK client reports it. */
        static final int NO_STATUS = 1005;
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final int MAX_RATE_LIMITED_RETRIES = 600;
    private static final int MAX_FRAME_BYTES = 1 << 20;
    private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;

    private final Handler handler;
    private final CompletableFuture<LoadClient> opened = new CompletableFuture<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private final ChannelFutureListener onWritten = future -> {
        if (!future.isSuccess()) {
            writeFailed = true;
        }
    };
    private volatile boolean reading;
    private volatile boolean writeFailed;
    private volatile Channel channel;

    private LoadClient(Handler handler, boolean reading) {
        this.handler = handler;
        this.reading = reading;
    }

    /**
     * Opens a connection with {@code Authorization: Bearer token}; a stalled one ({@code reading} false) reads nothing
     * after the handshake. As a well-behaved client does, a handshake refused with 429 (the edge's per-address
     * handshake rate, or a per-user cap) is retried after its {@code Retry-After}: a thousand connections from one
     * address otherwise exceed the default handshake burst.
     */
    static CompletableFuture<LoadClient> connect(LoadClients clients, URI edge, String token, Handler handler,
            boolean reading) {
        return connect(clients, edge, token, handler, reading, MAX_RATE_LIMITED_RETRIES);
    }

    private static CompletableFuture<LoadClient> connect(LoadClients clients, URI edge, String token, Handler handler,
            boolean reading, int retriesLeft) {
        return open(clients, edge, token, handler, reading).handle((client, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(client);
            }
            Throwable cause = unwrap(error);
            long retryAfterSeconds = retriesLeft > 0 ? retryAfterSeconds(cause) : -1;
            if (retryAfterSeconds < 0) {
                return CompletableFuture.<LoadClient>failedFuture(cause);
            }
            long waitMs = retryAfterSeconds * 1000 + ThreadLocalRandom.current().nextLong(250);
            CompletableFuture<LoadClient> retried = new CompletableFuture<>();
            clients.group().schedule(() -> {
                try {
                    connect(clients, edge, token, handler, reading, retriesLeft - 1).whenComplete((again, failed) -> {
                        if (failed == null) {
                            retried.complete(again);
                        } else {
                            retried.completeExceptionally(unwrap(failed));
                        }
                    });
                } catch (RuntimeException e) {
                    retried.completeExceptionally(e); // e.g. the group shutting down: the caller must still hear
                }
            }, waitMs, TimeUnit.MILLISECONDS);
            return retried;
        }).thenCompose(f -> f);
    }

    /** The seconds a 429 asks to wait (1 without a usable header), or -1 for any other failure. */
    private static long retryAfterSeconds(Throwable cause) {
        if (!(cause instanceof WebSocketClientHandshakeException handshake) || handshake.response() == null
                || handshake.response().status().code() != 429) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(handshake.response().headers().get(HttpHeaderNames.RETRY_AFTER, "1")));
        } catch (NumberFormatException e) {
            // An HTTP-date Retry-After: the edge sends seconds, so a second is as good a guess as any.
            return 1;
        }
    }

    private static CompletableFuture<LoadClient> open(LoadClients clients, URI edge, String token, Handler handler,
            boolean reading) {
        LoadClient client = new LoadClient(handler, reading);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(edge)
                .version(WebSocketVersion.V13)
                .customHeaders(new DefaultHttpHeaders().add(HttpHeaderNames.AUTHORIZATION, "Bearer " + token))
                .generateOriginHeader(false)
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .handshakeTimeoutMillis(LoadClients.CONNECT_TIMEOUT.toMillis())
                // The close code and reason go to closed(); closeAsync writes its own close frame.
                .handleCloseFrames(false)
                .sendCloseFrame(null)
                // Decoding the text to a String replaces bad bytes anyway; a second pass per frame buys nothing here.
                .withUTF8Validator(false)
                .build();
        ChannelFuture connecting = clients.bootstrap().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                client.channel = channel; // before any event of the channel can complete opened
                channel.pipeline().addLast(new HttpClientCodec(),
                        new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES),
                        new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(MAX_FRAME_BYTES),
                        client);
            }
        }).connect(edge.getHost(), edge.getPort() == -1 ? 80 : edge.getPort());
        connecting.addListener(future -> {
            if (!future.isSuccess()) {
                client.opened.completeExceptionally(future.cause());
            }
        });
        return client.opened;
    }

    /** Why a connect failed, short: {@code HTTP 401}, or the exception's class and message. */
    static String failureReason(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof WebSocketClientHandshakeException handshake && handshake.response() != null) {
            return "HTTP " + handshake.response().status().code();
        }
        // ProbeClient still uses the JDK client.
        if (cause instanceof WebSocketHandshakeException handshake) {
            return "HTTP " + handshake.getResponse().statusCode();
        }
        // Netty's subclass adds the address to the message; the class name stays the JDK's for the report.
        String name = cause instanceof ConnectException ? ConnectException.class.getSimpleName()
                : cause.getClass().getSimpleName();
        return name + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            // Off before the next read of the socket: a stalled client reads no frame after the handshake response.
            // (Bytes that came in the same read as the 101 would still be decoded; the edge sends nothing unasked
            // right after the handshake, so in practice a stalled client reads nothing.)
            ctx.channel().config().setAutoRead(reading);
            opened.complete(this);
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            opened.completeExceptionally(new ConnectTimeoutException("no WebSocket handshake response in "
                    + LoadClients.CONNECT_TIMEOUT.toSeconds() + " s"));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        long now = System.nanoTime();
        try {
            if (message instanceof TextWebSocketFrame text) {
                handler.onFrame(text.text(), now);
            } else if (message instanceof CloseWebSocketFrame close) {
                int code = close.statusCode() < 0 ? Closed.NO_STATUS : close.statusCode();
                closed.complete(new Closed(code, close.reasonText(), now));
                if (closeSent.compareAndSet(false, true)) {
                    // Answer the server's close as RFC 6455 asks, then let the connection go.
                    ctx.writeAndFlush(close.statusCode() < 0 ? new CloseWebSocketFrame()
                            : new CloseWebSocketFrame(close.statusCode(), "")).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!opened.completeExceptionally(cause)) {
            closed.complete(new Closed(Closed.ERROR, failureReason(cause), System.nanoTime()));
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        opened.completeExceptionally(new IOException("connection closed during the WebSocket handshake"));
        closed.complete(new Closed(Closed.ERROR, closeSent.get() ? "dropped: no answer to the close"
                : "connection closed without a close frame", System.nanoTime()));
        ctx.fireChannelInactive();
    }

    /** Completes when the server closed the connection or it failed. */
    CompletableFuture<Closed> closed() {
        return closed;
    }

    /** Starts (or goes on) reading: a stalled client now takes in everything the edge queued for it. */
    void resumeReading() {
        reading = true;
        channel.config().setAutoRead(true);
    }

    /**
     * Queues a text frame (masked by the encoder, as a client must), from any thread; false if the connection is
     * closed or a write failed, so the caller stops sending.
     */
    boolean send(String frame) {
        Channel c = channel;
        if (closed.isDone() || writeFailed || closeSent.get() || !c.isActive()) {
            return false;
        }
        c.writeAndFlush(new TextWebSocketFrame(ByteBufUtil.writeUtf8(c.alloc(), frame))).addListener(onWritten);
        return true;
    }

    /**
     * Closes normally; completes when the server answered, or after a few seconds with the connection dropped, and
     * {@link #closed()} is done.
     */
    CompletableFuture<Void> closeAsync() {
        Channel c = channel;
        if (closeSent.compareAndSet(false, true) && c.isActive()) {
            c.writeAndFlush(new CloseWebSocketFrame(1000, "done"));
        }
        return closed.thenApply(answer -> (Void) null)
                .orTimeout(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, error) -> {
                    // Answered or not (a stalled socket, an edge gone), the connection goes now.
                    c.close();
                    return closed;
                })
                // Once closed() is done (channelInactive completes it at the latest), so it is final for the caller.
                // Bounded, so a run's shutdown cannot hang on one connection.
                .thenCompose(ended -> ended.thenApply(last -> (Void) null)
                        .completeOnTimeout(null, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
