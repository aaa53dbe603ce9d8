package io.natter.edge.presence;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
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

    /** A command connection and a pub/sub connection subscribed to one channel; Lettuce re-subscribes on reconnect. */
    record Subscribed(StatefulRedisConnection<String, String> commands,
            StatefulRedisPubSubConnection<String, String> pubSub) {}

    /** Opens both connections of {@link Subscribed} with {@code listener} on {@code channel}, or neither. */
    Subscribed connectSubscribed(String channel, RedisPubSubListener<String, String> listener) {
        StatefulRedisConnection<String, String> commands = client.connect();
        try {
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
            pubSub.addListener(listener);
            pubSub.sync().subscribe(channel);
            return new Subscribed(commands, pubSub);
        } catch (RedisException e) {
            commands.close();
            throw e;
        }
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
