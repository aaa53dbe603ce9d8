package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator's Netty client against a real (Netty) WebSocket server on a free loopback port. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadClientIT {
    /** Enough to fill the loopback socket buffers on both sides (tcp_rmem max here is 32 MiB) and then some. */
    private static final int FLOOD_FRAMES = 3000;
    private static final int FLOOD_FRAME_BYTES = 16 * 1024;

    private WsServer server;
    private LoadClients clients;

    @BeforeEach
    void start() throws InterruptedException {
        server = new WsServer();
        clients = new LoadClients();
    }

    @AfterEach
    void stop() {
        clients.close();
        server.close();
    }

    @Test
    void sendsTheBearerTokenAndHandsOverWholeFramesInOrder() throws Exception {
        List<String> frames = new CopyOnWriteArrayList<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        LoadClient client = clients.connect(server.uri(), "tok-1", (text, at) -> {
            frames.add(text);
            times.add(at);
        }, true).get(30, TimeUnit.SECONDS);
        Channel peer = server.accepted.poll(10, TimeUnit.SECONDS);

        peer.write(new TextWebSocketFrame("one"));
        // One message in three fragments: the handler must see it whole, once.
        peer.write(new TextWebSocketFrame(false, 0, "t"));
        peer.write(new ContinuationWebSocketFrame(false, 0, "w"));
        peer.write(new ContinuationWebSocketFrame(true, 0, "o"));
        peer.writeAndFlush(new TextWebSocketFrame("three"));
        assertThat(client.send("from client")).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> frames.size() == 3 && server.events.size() == 1);
        assertThat(frames).containsExactly("one", "two", "three");
        assertThat(times).isSorted();
        assertThat(server.handshakes).containsExactly(new Handshake("/ws", "Bearer tok-1"));
        // The server's decoder refuses unmasked client frames, so arriving at all shows they were masked.
        assertThat(server.events).containsExactly("text from client");
        assertThat(client.closed()).isNotDone();
    }

    @Test
    void retriesAHandshakeRefusedWith429AfterItsRetryAfter() throws Exception {
        server.refuseOnce("Bearer limited", HttpResponseStatus.TOO_MANY_REQUESTS);
        long begin = System.nanoTime();

        clients.connect(server.uri(), "limited", (text, at) -> { }, true).get(30, TimeUnit.SECONDS);

        assertThat(System.nanoTime() - begin).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(server.handshakes).containsExactly(new Handshake("/ws", "Bearer limited"),
                new Handshake("/ws", "Bearer limited"));
        // The server hands the channel out once its 101 is written, which may be just after the client read it.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.accepted.size() == 1);
    }

    @Test
    void reportsARefusedHandshakeAsItsHttpStatus() {
        server.refuseOnce("Bearer bad", HttpResponseStatus.UNAUTHORIZED);

        CompletableFuture<LoadClient> connecting = clients.connect(server.uri(), "bad", (text, at) -> { }, true);

        assertThatThrownBy(() -> connecting.get(30, TimeUnit.SECONDS))
                .satisfies(error -> assertThat(LoadClient.failureReason(error)).isEqualTo("HTTP 401"));
        assertThat(server.handshakes).containsExactly(new Handshake("/ws", "Bearer bad"));
        assertThat(server.accepted).isEmpty();
    }

    @Test
    void aStalledClientLeavesTheServersWritesQueuedUntilItResumesReading() throws Exception {
        AtomicInteger frames = new AtomicInteger();
        LoadClient client = clients.connect(server.uri(), "sleepy", (text, at) -> frames.incrementAndGet(), false)
                .get(30, TimeUnit.SECONDS);
        Channel peer = server.accepted.poll(10, TimeUnit.SECONDS);

        peer.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7})));
        String payload = "x".repeat(FLOOD_FRAME_BYTES);
        ChannelFuture last = null;
        for (int n = 0; n < FLOOD_FRAMES; n++) {
            last = peer.writeAndFlush(new TextWebSocketFrame(payload));
        }
        ChannelFuture lastWrite = last;

        // The kernel buffers fill and the rest stays in the server's outbound buffer: the edge's view of a slow reader.
        await().atMost(Duration.ofSeconds(30)).until(() -> !peer.isWritable());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> !lastWrite.isDone() && frames.get() == 0 && server.events.isEmpty());

        client.resumeReading();

        await().atMost(Duration.ofSeconds(60)).until(() -> lastWrite.isDone() && frames.get() == FLOOD_FRAMES);
        assertThat(lastWrite.isSuccess()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.events.isEmpty());
        assertThat(server.events).containsExactly("pong 1");
        assertThat(client.closed()).isNotDone();
    }

    @Test
    void hasTheServersCloseCodeAndReasonAndAnswersTheClose() throws Exception {
        LoadClient client = clients.connect(server.uri(), "tok-2", (text, at) -> { }, true).get(30, TimeUnit.SECONDS);
        Channel peer = server.accepted.poll(10, TimeUnit.SECONDS);

        server.close(peer, 4008, "slow consumer");

        LoadClient.Closed closed = client.closed().get(10, TimeUnit.SECONDS);
        assertThat(closed.code()).isEqualTo(4008);
        assertThat(closed.reason()).isEqualTo("slow consumer");
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.events.isEmpty());
        assertThat(server.events).containsExactly("close 4008 ");
        await().atMost(Duration.ofSeconds(10)).until(() -> !peer.isActive());
        assertThat(client.send("too late")).isFalse();
    }

    @Test
    void closeAsyncSendsANormalCloseAndCompletesWithTheAnswer() throws Exception {
        LoadClient client = clients.connect(server.uri(), "tok-3", (text, at) -> { }, true).get(30, TimeUnit.SECONDS);
        Channel peer = server.accepted.poll(10, TimeUnit.SECONDS);

        client.closeAsync().get(10, TimeUnit.SECONDS);

        assertThat(server.events).containsExactly("close 1000 done");
        LoadClient.Closed closed = client.closed().getNow(null);
        assertThat(closed).isNotNull();
        assertThat(closed.code()).isEqualTo(1000);
        assertThat(closed.reason()).isEqualTo("done");
        await().atMost(Duration.ofSeconds(10)).until(() -> !peer.isActive());
        assertThat(client.send("after close")).isFalse();
    }

    @Test
    void closeAsyncDropsAStalledConnectionThatCannotReadTheAnswer() throws Exception {
        LoadClient client = clients.connect(server.uri(), "sleepy-2", (text, at) -> { }, false)
                .get(30, TimeUnit.SECONDS);
        Channel peer = server.accepted.poll(10, TimeUnit.SECONDS);

        client.closeAsync().get(15, TimeUnit.SECONDS);

        assertThat(client.closed().getNow(null).code()).isEqualTo(LoadClient.Closed.ERROR);
        await().atMost(Duration.ofSeconds(10)).until(() -> !peer.isActive());
        assertThat(server.events).containsExactly("close 1000 done");
    }

    /** One WebSocket upgrade request the server saw. */
    record Handshake(String uri, String authorization) {}

    /**
     * A WebSocket server on 127.0.0.1:0 that records each upgrade request, refuses chosen tokens once with a status,
     * hands out accepted channels, and records what clients send.
     */
    private static final class WsServer implements AutoCloseable {
        final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
        final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        private final Map<String, HttpResponseStatus> refusals = new ConcurrentHashMap<>();
        /** Channels this server sent a close on: the client's close frame is then the answer, not a request. */
        private final Set<Channel> closing = ConcurrentHashMap.newKeySet();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel listener;

        WsServer() throws InterruptedException {
            WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder().websocketPath("/ws")
                    .handleCloseFrames(false).dropPongFrames(false).maxFramePayloadLength(1 << 20).build();
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new Gate(), new WebSocketServerProtocolHandler(config), new Recorder());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort() + "/ws");
        }

        void refuseOnce(String authorization, HttpResponseStatus status) {
            refusals.put(authorization, status);
        }

        void close(Channel channel, int code, String reason) {
            closing.add(channel);
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        /** Records the upgrade request and refuses it if asked to. */
        private final class Gate extends SimpleChannelInboundHandler<FullHttpRequest> {
            Gate() {
                super(false);
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
                handshakes.add(new Handshake(request.uri(), authorization));
                HttpResponseStatus refusal = authorization == null ? null : refusals.remove(authorization);
                if (refusal == null) {
                    ctx.fireChannelRead(request);
                    return;
                }
                request.release();
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal);
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.RETRY_AFTER, 1);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** Hands out each upgraded channel and records the client's text, pong and close frames. */
        private final class Recorder extends ChannelInboundHandlerAdapter {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                    accepted.add(ctx.channel());
                }
                ctx.fireUserEventTriggered(event);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                try {
                    if (message instanceof TextWebSocketFrame text) {
                        events.add("text " + text.text());
                    } else if (message instanceof PongWebSocketFrame pong) {
                        events.add("pong " + pong.content().readableBytes());
                    } else if (message instanceof CloseWebSocketFrame close) {
                        events.add("close " + close.statusCode() + " " + close.reasonText());
                        if (closing.remove(ctx.channel())) {
                            ctx.close();
                        } else {
                            ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
                                    .addListener(ChannelFutureListener.CLOSE);
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }
        }
    }
}
