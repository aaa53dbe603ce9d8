package io.natter.edge.presence;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.natter.infra.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark, not a test: Redis commands per connected user per minute in steady state (refreshes, sweeps, gauge
 * recounts; scripts counted with the commands they run), with the default TTL and refresh unless told otherwise.
 * Usage: {@code PresenceRedisBench [users=1000] [seconds=90] [edges=2]}.
 */
public final class PresenceRedisBench {
    private PresenceRedisBench() {}

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 90;
        int edgeCount = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dataDir = Files.createTempDirectory("presence-bench");
        try (RedisServer server = RedisServer.start(dataDir, 0)) {
            PresenceConfig config = PresenceConfig.fromEnv(Map.of("NATTER_REDIS_URI", server.uri()));
            PresenceTestEdge[] edges = new PresenceTestEdge[edgeCount];
            for (int i = 0; i < edgeCount; i++) {
                edges[i] = PresenceTestEdge.start(config, "bench-edge-" + i);
            }
            RedisClient client = RedisClient.create(server.uri());
            try (StatefulRedisConnection<String, String> stats = client.connect()) {
                stats.sync().configResetstat();
                for (int u = 0; u < users; u++) {
                    edges[u % edgeCount].tracker.connected("user-" + u, "session-" + u);
                }
                await().atMost(Duration.ofMinutes(2)).until(() -> edges[0].received.size() == users);
                Map<String, Long> connect = commandCalls(stats.sync().info("commandstats"));
                System.out.printf("connect phase: %d users, %d Redis commands (%.2f per user): %s%n", users,
                        total(connect), total(connect) / (double) users, connect);

                stats.sync().configResetstat();
                long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                // Bounded run: just let the edges' periodic work happen.
                while (System.nanoTime() < deadline) {
                    LockSupport.parkNanos(deadline - System.nanoTime());
                }
                Map<String, Long> steady = commandCalls(stats.sync().info("commandstats"));
                double perUserPerMinute = total(steady) / (double) users / (seconds / 60.0);
                System.out.printf("steady state: %d users on %d edges for %d s (TTL %d s, refresh %d s): %d Redis "
                                + "commands: %s%n", users, edgeCount, seconds, config.ttl().toSeconds(),
                        config.refreshInterval().toSeconds(), total(steady), steady);
                System.out.printf("Redis commands per connected user per minute: %.2f%n", perUserPerMinute);
            } finally {
                client.shutdown();
                for (PresenceTestEdge edge : edges) {
                    edge.close();
                }
            }
        }
    }

    /** {@code cmdstat_<name>:calls=N,...} lines of INFO commandstats, by command, without the INFO/CONFIG calls. */
    private static Map<String, Long> commandCalls(String info) {
        Map<String, Long> calls = new TreeMap<>();
        info.lines().filter(line -> line.startsWith("cmdstat_")).forEach(line -> {
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            String count = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
            if (!name.equals("info") && !name.startsWith("config")) {
                calls.put(name, Long.parseLong(count));
            }
        });
        return calls;
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }
}
