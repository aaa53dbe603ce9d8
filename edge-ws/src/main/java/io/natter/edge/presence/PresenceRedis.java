package io.natter.edge.presence;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;

/** One Lettuce client (threads, reconnect policy) shared by an edge's presence components. */
public final class PresenceRedis implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final PresenceConfig config;
    private final ClientResources resources;
    private final RedisClient client;

    private PresenceRedis(PresenceConfig config) {
        this.config = config;
        // Presence is light; two threads each are plenty, and a quick reconnect shortens an outage's tail.
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(config.redisUri()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While Redis is away, commands fail at once instead of queueing: the WS path never waits on Redis.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
    }

    /** A client for {@code config.redisUri()}; connections are opened by the components that use it. */
    public static PresenceRedis create(PresenceConfig config) {
        return new PresenceRedis(config);
    }

    public PresenceConfig config() {
        return config;
    }

    RedisClient client() {
        return client;
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
