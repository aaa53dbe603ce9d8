package io.natter.edge.presence;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** One simulated edge's presence: tracker, broadcaster and what each of them saw. */
final class PresenceTestEdge implements AutoCloseable {
    final String nodeId;
    final PresenceRedis redis;
    final PresenceTracker tracker;
    final PresenceBroadcaster broadcaster;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Transitions this edge's scripts won and published. */
    final List<Presence> published = new CopyOnWriteArrayList<>();
    /** Transitions this edge heard on presence:events. */
    final List<Presence> received = new CopyOnWriteArrayList<>();

    private PresenceTestEdge(PresenceConfig config, String nodeId) {
        this.nodeId = nodeId;
        this.redis = PresenceRedis.create(config);
        this.broadcaster = PresenceBroadcaster.start(redis, nodeId, registry);
        broadcaster.subscribe(received::add);
        this.tracker = PresenceTracker.start(redis, nodeId, published::add);
    }

    /** Starts an edge and waits until it hears transitions and expiries. */
    static PresenceTestEdge start(PresenceConfig config, String nodeId) {
        PresenceTestEdge edge = new PresenceTestEdge(config, nodeId);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge.broadcaster.subscribed() && edge.tracker.connectedToRedis());
        return edge;
    }

    /** What this edge heard, as {@code user:STATUS}, in order. */
    List<String> heard() {
        return received.stream().map(PresenceTestEdge::describe).toList();
    }

    /** What this edge's scripts published, as {@code user:STATUS}, in order. */
    List<String> won() {
        return published.stream().map(PresenceTestEdge::describe).toList();
    }

    double onlineGauge() {
        return registry.get(PresenceBroadcaster.ONLINE_USERS_GAUGE).gauge().value();
    }

    private boolean stopped;

    /** Stops as if killed: no disconnects reach Redis. */
    void crash() {
        stopped = true;
        tracker.crash();
        broadcaster.close();
        redis.close();
    }

    static String describe(Presence presence) {
        return presence.userId() + ":" + presence.status();
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        tracker.close();
        broadcaster.close();
        redis.close();
    }
}
