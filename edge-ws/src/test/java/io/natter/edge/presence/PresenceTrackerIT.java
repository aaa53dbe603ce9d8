package io.natter.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.infra.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Presence across edges against a real Redis: each edge is a tracker and broadcaster with its own node id. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PresenceTrackerIT {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofSeconds(1);
    /** How long "nothing more arrives" is watched. */
    private static final Duration QUIET = Duration.ofMillis(2500);

    @TempDir
    Path dataDir;

    private RedisServer redisServer;
    private PresenceConfig config;
    private final List<PresenceTestEdge> edges = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redisServer = RedisServer.start(dataDir, 0);
        config = new PresenceConfig(redisServer.uri(), TTL, Duration.ofMillis(600), GRACE, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        edges.forEach(PresenceTestEdge::close);
        redisServer.close();
    }

    private PresenceTestEdge edge(String nodeId) {
        PresenceTestEdge edge = PresenceTestEdge.start(config, nodeId);
        edges.add(edge);
        return edge;
    }

    @Test
    void connectThenDisconnectPublishesOneOnlineAndOneOffline() {
        PresenceTestEdge a = edge("edge-a");
        PresenceTestEdge b = edge("edge-b");

        a.tracker.connected("alice", "s1");
        await().atMost(Duration.ofSeconds(2)).until(() -> b.heard().equals(List.of("alice:ONLINE")));
        assertThat(a.tracker.status(List.of("alice", "nobody")).join().values())
                .extracting(PresenceTestEdge::describe).containsExactly("alice:ONLINE", "nobody:OFFLINE");
        long disconnectedAt = System.nanoTime();
        a.tracker.disconnected("alice", "s1");

        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.heard().equals(List.of("alice:ONLINE", "alice:OFFLINE")));
        assertThat(Duration.ofNanos(System.nanoTime() - disconnectedAt)).isLessThan(Duration.ofSeconds(2));
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> a.heard().size() == 2 && b.heard().size() == 2);
        assertThat(a.heard()).containsExactly("alice:ONLINE", "alice:OFFLINE");
        assertThat(a.won()).containsExactly("alice:ONLINE", "alice:OFFLINE");
        assertThat(b.won()).isEmpty();
        assertThat(a.tracker.status(List.of("alice")).join().get("alice").status()).isEqualTo(OnlineStatus.OFFLINE);
        assertThat(a.received.get(1).lastSeenEpochMs()).isGreaterThanOrEqualTo(a.received.get(0).lastSeenEpochMs());
    }

    @Test
    void twoTabsOnTwoEdgesStayOnlineUntilBothClose() {
        PresenceTestEdge a = edge("edge-a");
        PresenceTestEdge b = edge("edge-b");

        a.tracker.connected("alice", "tab-1");
        b.tracker.connected("alice", "tab-2");
        await().atMost(Duration.ofSeconds(2)).until(() -> a.heard().equals(List.of("alice:ONLINE")));
        await().atMost(Duration.ofSeconds(2)).until(() -> a.tracker.edgesOf("alice").join().size() == 2);
        assertThat(a.tracker.edgesOf("alice").join()).containsExactlyInAnyOrder("edge-a", "edge-b");

        a.tracker.disconnected("alice", "tab-1");
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> a.heard().equals(List.of("alice:ONLINE")));
        assertThat(a.tracker.edgesOf("alice").join()).containsExactly("edge-b");

        b.tracker.disconnected("alice", "tab-2");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> a.heard().equals(List.of("alice:ONLINE", "alice:OFFLINE")));
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> b.heard().size() == 2 && a.heard().size() == 2);
        assertThat(b.heard()).containsExactly("alice:ONLINE", "alice:OFFLINE");
        assertThat(Stream.concat(a.won().stream(), b.won().stream())).containsExactlyInAnyOrder("alice:ONLINE",
                "alice:OFFLINE");
        assertThat(a.tracker.edgesOf("alice").join()).isEmpty();
    }

    @Test
    void aQuickReconnectWithinTheGraceProducesNoOffline() {
        PresenceTestEdge a = edge("edge-a");
        PresenceTestEdge b = edge("edge-b");
        a.tracker.connected("alice", "s1");
        await().atMost(Duration.ofSeconds(2)).until(() -> b.heard().equals(List.of("alice:ONLINE")));

        // A reload: the socket closes on one edge and the new one lands on the other.
        a.tracker.disconnected("alice", "s1");
        b.tracker.connected("alice", "s2");

        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> a.heard().equals(List.of("alice:ONLINE"))
                && b.heard().equals(List.of("alice:ONLINE")));
        assertThat(b.tracker.status(List.of("alice")).join().get("alice").status()).isEqualTo(OnlineStatus.ONLINE);
        assertThat(b.tracker.edgesOf("alice").join()).containsExactly("edge-b");
    }

    @Test
    void anEdgeThatDiesWithoutClosingTurnsItsUsersOfflineExactlyOnceAfterTheTtl() {
        PresenceTestEdge doomed = edge("edge-doomed");
        PresenceTestEdge b = edge("edge-b");
        PresenceTestEdge c = edge("edge-c");
        doomed.tracker.connected("alice", "s1");
        doomed.tracker.connected("bob", "s2");
        c.tracker.connected("bob", "s3");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.heard().size() == 2 && c.heard().size() == 2);
        assertThat(b.heard()).containsExactlyInAnyOrder("alice:ONLINE", "bob:ONLINE");
        assertThat(doomed.tracker.edgesOf("bob").join()).containsExactlyInAnyOrder("edge-doomed", "edge-c");
        // Refreshes keep the users online well past one TTL while the edge lives.
        await().during(TTL.plusSeconds(1)).atMost(TTL.plusSeconds(3)).until(() -> b.heard().size() == 2);

        long crashedAt = System.nanoTime();
        doomed.crash();

        // Both b and c hear alice's key expire; one of them publishes. bob still has a socket on c.
        await().atMost(TTL.plusSeconds(5)).until(() -> b.heard().size() == 3);
        assertThat(Duration.ofNanos(System.nanoTime() - crashedAt)).isLessThan(TTL.plusSeconds(5));
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> b.heard().size() == 3 && c.heard().size() == 3);
        assertThat(b.heard().getLast()).isEqualTo("alice:OFFLINE");
        assertThat(c.heard()).isEqualTo(b.heard());
        // Each transition was published by exactly one edge; the OFFLINE by one of the two survivors.
        assertThat(Stream.of(doomed, b, c).flatMap(edge -> edge.won().stream()))
                .containsExactlyInAnyOrder("alice:ONLINE", "bob:ONLINE", "alice:OFFLINE");
        assertThat(Stream.concat(b.won().stream(), c.won().stream())).contains("alice:OFFLINE");
        // After failover the index no longer sends bob's pushes to the dead edge.
        await().atMost(TTL.plusSeconds(2)).until(() -> c.tracker.edgesOf("bob").join().equals(Set.of("edge-c")));
        assertThat(c.tracker.edgesOf("alice").join()).isEmpty();
    }

    @Test
    void aThousandUsersComingOnlineAtOncePublishExactlyAThousandOnlineEvents() {
        PresenceTestEdge a = edge("edge-a");
        PresenceTestEdge b = edge("edge-b");
        List<String> users = IntStream.range(0, 1_000).mapToObj(i -> "user-" + i).toList();

        users.forEach(user -> (user.hashCode() % 2 == 0 ? a : b).tracker.connected(user, "s-" + user));
        // The same users open a second tab on the other edge at the same moment.
        users.forEach(user -> (user.hashCode() % 2 == 0 ? b : a).tracker.connected(user, "t-" + user));

        await().atMost(Duration.ofSeconds(20)).until(() -> a.heard().size() >= 1_000 && b.heard().size() >= 1_000);
        await().during(QUIET).atMost(QUIET.plusSeconds(2)).until(() -> a.heard().size() == 1_000
                && b.heard().size() == 1_000);
        Set<String> expected = new HashSet<>();
        users.forEach(user -> expected.add(user + ":ONLINE"));
        assertThat(new HashSet<>(a.heard())).isEqualTo(expected);
        assertThat(new HashSet<>(b.heard())).isEqualTo(expected);
        assertThat(a.won().size() + b.won().size()).isEqualTo(1_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.onlineGauge() == 1_000 && b.onlineGauge() == 1_000);
        Map<String, Presence> statuses = a.tracker.status(users).join();
        assertThat(statuses.values()).allMatch(p -> p.status() == OnlineStatus.ONLINE).hasSize(1_000);
    }

    @Test
    void theGaugeCountsOnlineUsersAcrossEdges() {
        PresenceTestEdge a = edge("edge-a");
        PresenceTestEdge b = edge("edge-b");
        a.tracker.connected("alice", "s1");
        b.tracker.connected("bob", "s2");
        await().atMost(Duration.ofSeconds(2)).until(() -> a.onlineGauge() == 2 && b.onlineGauge() == 2);

        b.tracker.disconnected("bob", "s2");

        await().atMost(Duration.ofSeconds(3)).until(() -> a.onlineGauge() == 1 && b.onlineGauge() == 1);
    }
}
