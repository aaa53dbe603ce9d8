package io.natter.edge.presence;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This edge's share of presence: registers its connections in Redis, refreshes them while they live, turns a user
 * OFFLINE after the last connection anywhere closes (after a grace) or after an edge died (on key expiry), and reads
 * statuses. Never throws into the WebSocket path: while Redis is away it keeps its connections in memory, logs a
 * warning, and registers them again when Redis returns.
 */
public final class PresenceTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);
    /** Users per refresh script call: big enough to be cheap, small enough not to stall Redis. */
    static final int REFRESH_BATCH = 200;
    private static final int SWEEP_COUNT = 500;
    private static final long RECONNECT_MS = 1_000;

    private final PresenceRedis redis;
    private final PresenceConfig config;
    private final String nodeId;
    private final TransitionListener listener;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    private final ScheduledExecutorService scheduler;
    // userId -> this node's open session ids of that user.
    private final ConcurrentHashMap<String, Set<String>> local = new ConcurrentHashMap<>();
    private final AtomicBoolean redisHealthy = new AtomicBoolean(true);
    private final RedisConnectionStateListener reconnects = new RedisConnectionStateListener() {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (handler == connection) {
                // Redis may have restarted empty: register this node's connections again.
                submit(PresenceTracker.this::resync);
            }
        }
    };
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> expirations;
    private volatile boolean closed;

    private PresenceTracker(PresenceRedis redis, String nodeId, TransitionListener listener) {
        this.redis = redis;
        this.config = redis.config();
        this.nodeId = nodeId;
        this.listener = listener;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(nodeId + "-presence").factory());
    }

    /**
     * Starts tracking for edge {@code nodeId}; {@code listener} hears the transitions this tracker published.
     * Returns at once even if Redis is down (it keeps trying).
     */
    public static PresenceTracker start(PresenceRedis redis, String nodeId, TransitionListener listener) {
        PresenceTracker tracker = new PresenceTracker(redis, nodeId, listener);
        redis.client().addListener(tracker.reconnects);
        tracker.submit(tracker::connect);
        long refresh = tracker.config.refreshInterval().toMillis();
        tracker.scheduler.scheduleWithFixedDelay(tracker.guarded(tracker::refreshAll), refresh, refresh,
                TimeUnit.MILLISECONDS);
        long sweep = tracker.config.ttl().toMillis();
        // One edge per TTL wins the sweep lease, so the sweep's cost does not grow with the number of edges.
        tracker.scheduler.scheduleWithFixedDelay(tracker.guarded(() -> tracker.sweepFrom("0", nodeId)), sweep, sweep,
                TimeUnit.MILLISECONDS);
        return tracker;
    }

    /** This edge's node id. */
    public String nodeId() {
        return nodeId;
    }

    /** Whether the tracker holds a Redis connection (it may still be reconnecting). */
    public boolean connectedToRedis() {
        StatefulRedisConnection<String, String> current = connection;
        return current != null && current.isOpen();
    }

    /** A WebSocket of {@code userId} opened on this edge: the user is ONLINE (published once if it was not). */
    public void connected(String userId, String sessionId) {
        local.compute(userId, (user, sessions) -> {
            Set<String> set = sessions != null ? sessions : ConcurrentHashMap.newKeySet();
            set.add(sessionId);
            // Issued inside compute(): one user's connects and disconnects reach Redis in the order they happened.
            touch(List.of(user), Map.of(user, List.of(sessionId)));
            return set;
        });
    }

    /** A WebSocket of {@code userId} on this edge closed; OFFLINE follows after the grace if it was the last anywhere. */
    public void disconnected(String userId, String sessionId) {
        local.computeIfPresent(userId, (user, sessions) -> {
            if (!sessions.remove(sessionId)) {
                return sessions;
            }
            boolean lastOnNode = sessions.isEmpty();
            RedisAsyncCommands<String, String> commands = commands();
            if (commands != null) {
                PresenceScripts.<Long>run(commands, PresenceScripts.DISCONNECT, ScriptOutputType.INTEGER,
                                List.of(user, nodeId, sessionId, lastOnNode ? "1" : "0"))
                        .whenComplete((live, error) -> {
                            if (error != null) {
                                redisFailed("disconnect of " + user, error);
                            } else {
                                redisWorks();
                                if (live == 0) {
                                    schedule(() -> offlineNow(user), config.offlineGrace().toMillis());
                                }
                            }
                        });
            }
            return lastOnNode ? null : sessions;
        });
    }

    /** The client showed it is alive (e.g. PING): refreshes its user now rather than at the next periodic refresh. */
    public void touched(String userId) {
        Set<String> sessions = local.get(userId);
        if (sessions != null && !sessions.isEmpty()) {
            touch(List.of(userId), Map.of(userId, List.copyOf(sessions)));
        }
    }

    /**
     * The last broadcast status of each user, in the order asked (unknown users OFFLINE with lastSeen 0).
     * Fails with {@link PresenceUnavailableException} while Redis is away.
     */
    public CompletableFuture<Map<String, Presence>> status(Collection<String> userIds) {
        RedisAsyncCommands<String, String> commands = commands();
        if (commands == null) {
            return CompletableFuture.failedFuture(new PresenceUnavailableException("Redis not connected", null));
        }
        List<String> users = List.copyOf(new LinkedHashSet<>(userIds));
        List<CompletableFuture<Presence>> reads = new ArrayList<>(users.size());
        for (String user : users) {
            reads.add(commands.hmget(PresenceKeys.STATE + user, "status", "lastSeen").toCompletableFuture()
                    .thenApply(fields -> presence(user, fields)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> {
                    if (error != null) {
                        throw new PresenceUnavailableException("presence read failed", error);
                    }
                    Map<String, Presence> result = new LinkedHashMap<>();
                    reads.forEach(read -> {
                        Presence presence = read.join();
                        result.put(presence.userId(), presence);
                    });
                    return result;
                });
    }

    /** The edges holding live connections of {@code userId} (for a targeted push after failover). */
    public CompletableFuture<Set<String>> edgesOf(String userId) {
        RedisAsyncCommands<String, String> commands = commands();
        if (commands == null) {
            return CompletableFuture.failedFuture(new PresenceUnavailableException("Redis not connected", null));
        }
        return PresenceScripts.<List<Object>>run(commands, PresenceScripts.EDGES, ScriptOutputType.MULTI,
                        List.of(userId))
                .handle((edges, error) -> {
                    if (error != null) {
                        throw new PresenceUnavailableException("edge index read failed", error);
                    }
                    Set<String> result = new LinkedHashSet<>();
                    edges.forEach(edge -> result.add(String.valueOf(edge)));
                    return result;
                });
    }

    /** Number of users with at least one connection on this edge. */
    public int localUsers() {
        return local.size();
    }

    /** Test hook: stops as if the process died, without telling Redis anything. */
    void crash() {
        closed = true;
        scheduler.shutdownNow();
        redis.client().removeListener(reconnects);
        closeConnections();
    }

    /**
     * Graceful stop: forgets this edge's connections in Redis now (their users go OFFLINE unless connected
     * elsewhere, or reconnect within the grace) instead of waiting for the TTL.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        RedisAsyncCommands<String, String> commands = commands();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        if (commands != null) {
            local.forEach((user, sessions) -> sessions.forEach(session -> pending.add(
                    PresenceScripts.<Long>run(commands, PresenceScripts.DISCONNECT, ScriptOutputType.INTEGER,
                                    List.of(user, nodeId, session, "1"))
                            .thenCompose(live -> live == 0
                                    ? CompletableFuture.runAsync(() -> { },
                                            CompletableFuture.delayedExecutor(config.offlineGrace().toMillis(),
                                                    TimeUnit.MILLISECONDS))
                                            .thenCompose(ignored -> offlineNow(user))
                                    : CompletableFuture.completedFuture(null)))));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(config.offlineGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("presence of {} not fully withdrawn on close; the TTL will finish it: {}", nodeId, e.toString());
        }
        closed = true;
        scheduler.shutdownNow();
        redis.client().removeListener(reconnects);
        closeConnections();
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            PresenceRedis.Subscribed opened = redis.connectSubscribed(PresenceKeys.EXPIRED, new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String key) {
                    if (key.startsWith(PresenceKeys.USER)) {
                        // Every edge hears the expiry; the OFFLINE script lets only one of them publish.
                        String user = key.substring(PresenceKeys.USER.length());
                        submit(() -> offlineNow(user));
                    }
                }
            });
            connection = opened.commands();
            expirations = opened.pubSub();
            redisWorks();
            resync();
        } catch (RedisException e) {
            redisFailed("connect to " + config.redisUri(), e);
            schedule(this::connect, RECONNECT_MS);
        }
    }

    /** Registers every local connection again and catches missed expiries: after a start or a Redis restart. */
    private void resync() {
        refreshAll();
        sweepFrom("0", "");
    }

    private void refreshAll() {
        List<String> users = new ArrayList<>(REFRESH_BATCH);
        Map<String, List<String>> sessions = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> entry : local.entrySet()) {
            List<String> open = List.copyOf(entry.getValue());
            if (open.isEmpty()) {
                continue;
            }
            users.add(entry.getKey());
            sessions.put(entry.getKey(), open);
            if (users.size() == REFRESH_BATCH) {
                touch(List.copyOf(users), Map.copyOf(sessions));
                users.clear();
                sessions.clear();
            }
        }
        if (!users.isEmpty()) {
            touch(users, sessions);
        }
    }

    private void touch(List<String> users, Map<String, List<String>> sessions) {
        RedisAsyncCommands<String, String> commands = commands();
        if (commands == null) {
            return;
        }
        List<String> args = new ArrayList<>();
        args.add(Long.toString(config.ttl().toMillis()));
        args.add(nodeId);
        for (String user : users) {
            List<String> open = sessions.get(user);
            args.add(user);
            args.add(Integer.toString(open.size()));
            args.addAll(open);
        }
        PresenceScripts.<List<Object>>run(commands, PresenceScripts.TOUCH, ScriptOutputType.MULTI, args)
                .whenComplete((published, error) -> {
                    if (error != null) {
                        redisFailed("refresh of " + users.size() + " users", error);
                    } else {
                        redisWorks();
                        published.forEach(event -> announce(String.valueOf(event)));
                    }
                });
    }

    private CompletableFuture<Void> offlineNow(String user) {
        RedisAsyncCommands<String, String> commands = commands();
        if (commands == null) {
            return CompletableFuture.completedFuture(null);
        }
        return PresenceScripts.<String>run(commands, PresenceScripts.OFFLINE, ScriptOutputType.VALUE,
                        List.of(user, Long.toString(config.ttl().toMillis())))
                .handle((event, error) -> {
                    if (error != null) {
                        redisFailed("offline check of " + user, error);
                    } else {
                        redisWorks();
                        if (event != null) {
                            announce(event);
                        }
                    }
                    return null;
                });
    }

    /** {@code leaseHolder} empty: sweep regardless of which edge swept last. */
    private void sweepFrom(String cursor, String leaseHolder) {
        RedisAsyncCommands<String, String> commands = commands();
        if (commands == null || closed) {
            return;
        }
        PresenceScripts.<List<Object>>run(commands, PresenceScripts.SWEEP, ScriptOutputType.MULTI,
                        List.of(cursor, Integer.toString(SWEEP_COUNT), Long.toString(config.ttl().toMillis()),
                                leaseHolder))
                .whenComplete((result, error) -> {
                    if (error != null) {
                        redisFailed("sweep", error);
                        return;
                    }
                    redisWorks();
                    result.stream().skip(1).forEach(event -> announce(String.valueOf(event)));
                    String next = String.valueOf(result.getFirst());
                    if (!"0".equals(next)) {
                        submit(() -> sweepFrom(next, leaseHolder));
                    }
                });
    }

    private void announce(String event) {
        Presence transition;
        try {
            transition = codec.decode(event);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a script result that is not a presence event", e);
            return;
        }
        try {
            listener.onTransition(transition);
        } catch (RuntimeException e) {
            log.warn("transition listener failed on {}", transition, e);
        }
    }

    private static Presence presence(String user, List<KeyValue<String, String>> fields) {
        String status = fields.get(0).getValueOrElse(null);
        String lastSeen = fields.get(1).getValueOrElse(null);
        if (status == null) {
            return Presence.unknown(user);
        }
        return new Presence(user, OnlineStatus.valueOf(status), lastSeen == null ? 0 : Long.parseLong(lastSeen));
    }

    private RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> current = connection;
        return current == null || closed ? null : current.async();
    }

    private void redisFailed(String what, Throwable error) {
        if (redisHealthy.compareAndSet(true, false)) {
            log.warn("presence on {}: Redis unavailable ({} failed: {}); messaging goes on, presence resyncs when "
                    + "Redis returns", nodeId, what, error.toString());
        } else {
            log.debug("presence on {}: {} failed", nodeId, what, error);
        }
    }

    private void redisWorks() {
        if (redisHealthy.compareAndSet(false, true)) {
            log.info("presence on {}: Redis reachable again", nodeId);
        }
    }

    private void submit(Runnable task) {
        schedule(task, 0);
    }

    private void schedule(Runnable task, long delayMs) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(guarded(task), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("presence of {} is stopping; task dropped", nodeId);
        }
    }

    // A periodic task that throws would never run again; log instead.
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("presence task on {} failed", nodeId, e);
            }
        };
    }

    private void closeConnections() {
        StatefulRedisPubSubConnection<String, String> pubSub = expirations;
        if (pubSub != null) {
            pubSub.close();
        }
        StatefulRedisConnection<String, String> main = connection;
        if (main != null) {
            main.close();
        }
    }
}
