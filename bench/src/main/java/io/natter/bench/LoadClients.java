package io.natter.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The event loops every {@link LoadClient} of one run shares; closing it ends them. */
final class LoadClients implements AutoCloseable {
    /** Two loops: the generator shares a small machine with the stack it measures, so it stays small. */
    static final int DEFAULT_THREADS = 2;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    LoadClients() {
        this(DEFAULT_THREADS);
    }

    LoadClients(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load-ws", true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                // Frames are small and latency is what is measured: no Nagle delay on the client's sends.
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** Opens one connection; see {@link LoadClient#connect}. */
    CompletableFuture<LoadClient> connect(URI edge, String token, LoadClient.Handler handler, boolean reading) {
        return LoadClient.connect(this, edge, token, handler, reading);
    }

    /** A copy of the shared bootstrap, for one connection to add its pipeline to. */
    Bootstrap bootstrap() {
        return bootstrap.clone();
    }

    EventLoopGroup group() {
        return group;
    }

    /** Stops the event loops; close the clients first, as this drops whatever is still open. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
