package io.natter.edge.presence;

import io.natter.edge.ConfigKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Presence settings of one edge, parsed from environment variables by {@link #fromEnv}; every key is declared once
 * in {@link #KEYS} with its default.
 */
public record PresenceConfig(
        String redisUri,
        Duration ttl,
        Duration refreshInterval,
        Duration offlineGrace,
        String grpcHost,
        int grpcPort) {

    public static final ConfigKey REDIS_URI = new ConfigKey("NATTER_REDIS_URI", "redis://127.0.0.1:6379",
            "Redis holding presence (needs `notify-keyspace-events Ex`).");
    public static final ConfigKey TTL_MS = new ConfigKey("NATTER_PRESENCE_TTL_MS", "90000",
            "A user whose edges stop refreshing goes OFFLINE after this long (an edge that died).");
    public static final ConfigKey REFRESH_MS = new ConfigKey("NATTER_PRESENCE_REFRESH_MS", null,
            "How often an edge refreshes its users' presence; default a third of the TTL.");
    public static final ConfigKey OFFLINE_GRACE_MS = new ConfigKey("NATTER_PRESENCE_OFFLINE_GRACE_MS", "1000",
            "A user whose last connection closes goes OFFLINE after this long unless it reconnects (no flapping).");
    public static final ConfigKey GRPC_HOST = new ConfigKey("NATTER_GRPC_HOST", "127.0.0.1",
            "Interface of the internal gRPC PresenceService (keep it off the public network).");
    public static final ConfigKey GRPC_PORT = new ConfigKey("NATTER_GRPC_PORT", "9090",
            "Port of the internal gRPC PresenceService; 0 picks a free port.");

    /** Every key presence reads, in README order. */
    public static final List<ConfigKey> KEYS = List.of(REDIS_URI, TTL_MS, REFRESH_MS, OFFLINE_GRACE_MS, GRPC_HOST,
            GRPC_PORT);

    public PresenceConfig {
        if (refreshInterval.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException(REFRESH_MS.name() + " (" + refreshInterval.toMillis()
                    + ") must be shorter than " + TTL_MS.name() + " (" + ttl.toMillis() + ")");
        }
        if (offlineGrace.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException(OFFLINE_GRACE_MS.name() + " (" + offlineGrace.toMillis()
                    + ") must be shorter than " + TTL_MS.name() + " (" + ttl.toMillis() + ")");
        }
    }

    /** Parses {@code env}; throws {@link IllegalArgumentException} naming the key of any invalid value. */
    public static PresenceConfig fromEnv(Map<String, String> env) {
        Duration ttl = Duration.ofMillis(TTL_MS.intIn(env, 1_000, Integer.MAX_VALUE));
        Duration refresh = REFRESH_MS.read(env) == null
                ? ttl.dividedBy(3)
                : Duration.ofMillis(REFRESH_MS.intIn(env, 100, Integer.MAX_VALUE));
        return new PresenceConfig(
                REDIS_URI.read(env),
                ttl,
                refresh,
                Duration.ofMillis(OFFLINE_GRACE_MS.intIn(env, 0, Integer.MAX_VALUE)),
                GRPC_HOST.read(env),
                GRPC_PORT.intIn(env, 0, 65_535));
    }

    /** This config with another gRPC port, e.g. 0 for tests. */
    public PresenceConfig withGrpcPort(int port) {
        return new PresenceConfig(redisUri, ttl, refreshInterval, offlineGrace, grpcHost, port);
    }
}
