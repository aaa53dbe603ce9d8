package io.natter.edge.presence;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything presence runs on one edge (tracker, broadcaster, internal gRPC server), started and stopped in order. */
public final class EdgePresence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgePresence.class);

    private final PresenceRedis redis;
    private final PresenceTracker tracker;
    private final PresenceBroadcaster broadcaster;
    private final PresenceGrpcServer grpc;

    private EdgePresence(PresenceRedis redis, PresenceTracker tracker, PresenceBroadcaster broadcaster,
            PresenceGrpcServer grpc) {
        this.redis = redis;
        this.tracker = tracker;
        this.broadcaster = broadcaster;
        this.grpc = grpc;
    }

    /** Starts presence for edge {@code nodeId}; returns at once even if Redis is down (it keeps trying). */
    public static EdgePresence start(PresenceConfig config, String nodeId, MeterRegistry registry) {
        PresenceRedis redis = PresenceRedis.create(config);
        PresenceBroadcaster broadcaster = PresenceBroadcaster.start(redis, nodeId, registry);
        PresenceTracker tracker = PresenceTracker.start(redis, nodeId,
                transition -> log.debug("{} published {}", nodeId, transition));
        try {
            PresenceGrpcServer grpc = PresenceGrpcServer.start(config, new PresenceGrpcService(tracker, broadcaster));
            return new EdgePresence(redis, tracker, broadcaster, grpc);
        } catch (RuntimeException e) {
            tracker.close();
            broadcaster.close();
            redis.close();
            throw e;
        }
    }

    /** connected / disconnected / touched / status / edgesOf. */
    public PresenceTracker tracker() {
        return tracker;
    }

    /** Every transition, once, in order: {@code broadcaster().subscribe(presence -> ...)}. */
    public PresenceBroadcaster broadcaster() {
        return broadcaster;
    }

    /** The bound port of the internal gRPC PresenceService. */
    public int grpcPort() {
        return grpc.port();
    }

    @Override
    public void close() {
        grpc.close();
        tracker.close();
        broadcaster.close();
        redis.close();
    }
}
