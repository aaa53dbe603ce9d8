package io.natter.edge.presence;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears every presence transition on {@code presence:events} (published once each by the scripts) and hands it,
 * in order, to its subscribers; keeps the {@code presence_online_users} gauge.
 */
public final class PresenceBroadcaster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceBroadcaster.class);
    /** Micrometer name of the gauge of ONLINE users (all edges); Prometheus shows it as {@code presence_online_users}. */
    public static final String ONLINE_USERS_GAUGE = "presence.online.users";
    private static final long RECONNECT_MS = 1_000;

    /** A registration made by {@link #subscribe}; closing it stops the deliveries. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final PresenceRedis redis;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    private final CopyOnWriteArrayList<Consumer<Presence>> subscribers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> resubscribeHooks = new CopyOnWriteArrayList<>();
    // Transitions published while the channel is down are lost to this edge: mark it, so the hooks can resync.
    private final RedisConnectionStateListener channelDrops = new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (handler == events) {
                subscribed = false;
            }
        }
    };
    // One thread delivers every transition: subscribers see them in the order Redis published them.
    private final ScheduledExecutorService executor;
    private final AtomicLong online = new AtomicLong();
    private volatile StatefulRedisPubSubConnection<String, String> events;
    private volatile StatefulRedisConnection<String, String> counter;
    private volatile boolean subscribed;
    private volatile boolean closed;
    private boolean connectFailing;

    private PresenceBroadcaster(PresenceRedis redis, String nodeId, MeterRegistry registry) {
        this.redis = redis;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(nodeId + "-presence-events").factory());
        Gauge.builder(ONLINE_USERS_GAUGE, online, AtomicLong::get)
                .description("Users with at least one open connection on some edge")
                .register(registry);
    }

    /** Subscribes to transitions; returns at once even if Redis is down (it keeps trying). */
    public static PresenceBroadcaster start(PresenceRedis redis, String nodeId, MeterRegistry registry) {
        PresenceBroadcaster broadcaster = new PresenceBroadcaster(redis, nodeId, registry);
        redis.client().addListener(broadcaster.channelDrops);
        broadcaster.run(broadcaster::connect, 0);
        // The count from transitions drifts if one is missed during an outage; SCARD of presence:online resets it.
        long recount = redis.config().refreshInterval().toMillis();
        broadcaster.executor.scheduleWithFixedDelay(broadcaster::recount, recount, recount, TimeUnit.MILLISECONDS);
        return broadcaster;
    }

    /** Delivers every later transition to {@code subscriber}, on the broadcaster's thread, until closed. */
    public Subscription subscribe(Consumer<Presence> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /**
     * Runs {@code hook} on the broadcaster's thread each time the channel is subscribed again after a Redis outage,
     * so holders of presence state can re-read what they missed meanwhile.
     */
    public Subscription onResubscribed(Runnable hook) {
        resubscribeHooks.add(hook);
        return () -> resubscribeHooks.remove(hook);
    }

    /** Whether the channel subscription is in place (transitions published from now on arrive). */
    public boolean subscribed() {
        return subscribed;
    }

    /** The gauge's current value: users ONLINE on any edge. */
    public long onlineUsers() {
        return online.get();
    }

    @Override
    public void close() {
        closed = true;
        redis.client().removeListener(channelDrops);
        executor.shutdownNow();
        StatefulRedisPubSubConnection<String, String> pubSub = events;
        if (pubSub != null) {
            pubSub.close();
        }
        StatefulRedisConnection<String, String> main = counter;
        if (main != null) {
            main.close();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            // Lettuce subscribes again by itself after a reconnect.
            PresenceRedis.Subscribed opened = redis.connectSubscribed(PresenceKeys.EVENTS, new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    run(() -> deliver(message), 0);
                }

                @Override
                public void subscribed(String channel, long count) {
                    // Also called when Lettuce re-subscribes after a reconnect.
                    if (!subscribed && counter != null) {
                        subscribed = true;
                        run(PresenceBroadcaster.this::resubscribed, 0);
                    }
                }
            });
            counter = opened.commands();
            events = opened.pubSub();
            subscribed = true;
            connectFailing = false;
            recount();
        } catch (RedisException e) {
            // Once per outage, not once a second.
            if (!connectFailing) {
                connectFailing = true;
                log.warn("presence events: Redis unavailable ({}); retrying every {} ms", e.toString(), RECONNECT_MS);
            } else {
                log.debug("presence events: Redis still unavailable", e);
            }
            run(this::connect, RECONNECT_MS);
        }
    }

    private void resubscribed() {
        log.info("presence events: subscribed again after a Redis outage; resyncing");
        recount();
        for (Runnable hook : resubscribeHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.warn("presence resync hook failed", e);
            }
        }
    }

    private void deliver(String message) {
        Presence transition;
        try {
            transition = codec.decode(message);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a message on {} that is not a presence event", PresenceKeys.EVENTS, e);
            return;
        }
        online.updateAndGet(count -> transition.status() == OnlineStatus.ONLINE ? count + 1 : Math.max(0, count - 1));
        for (Consumer<Presence> subscriber : subscribers) {
            try {
                subscriber.accept(transition);
            } catch (RuntimeException e) {
                log.warn("presence subscriber failed on {}", transition, e);
            }
        }
    }

    private void recount() {
        StatefulRedisConnection<String, String> main = counter;
        if (main == null || closed) {
            return;
        }
        main.async().scard(PresenceKeys.ONLINE).whenComplete((count, error) -> {
            if (error != null) {
                log.debug("recount of online users failed", error);
            } else {
                online.set(count);
            }
        });
    }

    private void run(Runnable task, long delayMs) {
        if (closed) {
            return;
        }
        try {
            executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("presence events task failed", e);
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("presence events stopping; task dropped");
        }
    }
}
