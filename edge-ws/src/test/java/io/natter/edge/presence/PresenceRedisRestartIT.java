package io.natter.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.natter.infra.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Presence rides out a Redis restart: the edge keeps serving, then re-registers and resubscribes. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PresenceRedisRestartIT {
    @TempDir
    Path dataDir;

    @Test
    void recoversAfterRedisRestartsAndKeepsTheWebSocketPathWorkingMeanwhile() {
        RedisServer redisServer = RedisServer.start(dataDir, 0);
        int port = redisServer.port();
        PresenceConfig config = new PresenceConfig(redisServer.uri(), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofMillis(300), "127.0.0.1", 0);
        try (PresenceTestEdge a = PresenceTestEdge.start(config, "edge-a");
                PresenceTestEdge b = PresenceTestEdge.start(config, "edge-b")) {
            AtomicInteger resubscribed = new AtomicInteger();
            b.broadcaster.onResubscribed(resubscribed::incrementAndGet);
            a.tracker.connected("alice", "s1");
            await().atMost(Duration.ofSeconds(2)).until(() -> b.heard().equals(List.of("alice:ONLINE")));
            assertThat(resubscribed).hasValue(0);

            redisServer.close();
            // While Redis is away, connects and disconnects neither throw nor block; reads fail fast.
            assertThatCode(() -> {
                a.tracker.connected("bob", "s2");
                a.tracker.connected("dave", "s4");
                a.tracker.disconnected("dave", "s4");
            }).doesNotThrowAnyException();
            assertThat(a.tracker.status(List.of("alice")))
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(PresenceUnavailableException.class);

            redisServer = RedisServer.start(dataDir, port);

            // bob connected during the outage: a's resync registers him and its script publishes his ONLINE once.
            // (b may still be re-subscribing when that is published; sessions then resync through onResubscribed.)
            await().atMost(Duration.ofSeconds(15)).until(() -> a.won().contains("bob:ONLINE"));
            await().atMost(Duration.ofSeconds(5)).until(() -> statusOf(a, "alice") == OnlineStatus.ONLINE
                    && statusOf(b, "bob") == OnlineStatus.ONLINE && statusOf(b, "dave") == OnlineStatus.OFFLINE);
            assertThat(a.won().stream().filter(e -> e.startsWith("bob"))).containsExactly("bob:ONLINE");
            // Both channels are subscribed again before the next transition is published.
            await().atMost(Duration.ofSeconds(15)).until(() -> a.broadcaster.subscribed() && b.broadcaster.subscribed());
            // b's resync hook ran once for the one outage: that is how sessions catch up on missed transitions.
            await().atMost(Duration.ofSeconds(5)).until(() -> resubscribed.get() == 1);
            // Both edges hear transitions again: their subscriptions came back.
            b.tracker.connected("carol", "s3");
            await().atMost(Duration.ofSeconds(5)).until(() -> a.heard().contains("carol:ONLINE")
                    && b.heard().contains("carol:ONLINE"));
            b.tracker.disconnected("carol", "s3");
            await().atMost(Duration.ofSeconds(3)).until(() -> a.heard().contains("carol:OFFLINE")
                    && b.heard().contains("carol:OFFLINE"));
            assertThat(a.heard().stream().filter(e -> e.startsWith("carol"))).containsExactly("carol:ONLINE",
                    "carol:OFFLINE");
        } finally {
            redisServer.close();
        }
    }

    private static OnlineStatus statusOf(PresenceTestEdge edge, String user) {
        try {
            return edge.tracker.status(List.of(user)).join().get(user).status();
        } catch (CompletionException e) {
            return null;
        }
    }
}
