package io.natter.edge.presence;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The edge's internal gRPC listener (NATTER_GRPC_HOST:NATTER_GRPC_PORT), apart from the public HTTP port. */
public final class PresenceGrpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceGrpcServer.class);

    private final Server server;

    private PresenceGrpcServer(Server server) {
        this.server = server;
    }

    /** Binds {@code config.grpcHost():config.grpcPort()} (0 = a free port) and serves {@code service}. */
    public static PresenceGrpcServer start(PresenceConfig config, PresenceGrpcService service) {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.grpcHost(), config.grpcPort()))
                .addService(service)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("gRPC on " + config.grpcHost() + ":" + config.grpcPort()
                    + " failed to start", e);
        }
        log.info("presence gRPC listening on {}:{}", config.grpcHost(), server.getPort());
        return new PresenceGrpcServer(server);
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                // Watch streams never end by themselves.
                server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
