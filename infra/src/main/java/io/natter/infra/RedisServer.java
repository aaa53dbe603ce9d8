package io.natter.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real redis-server (the binary bundled with embedded-redis) on 127.0.0.1 with expired-key notifications on
 * and append-only persistence in the data dir, so keys outlive a restart.
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);
    private static final Logger REDIS_OUTPUT = LoggerFactory.getLogger("redis-server");

    /** File in the data dir where redis-server writes its pid. */
    public static final String PID_FILE = "redis.pid";

    private final redis.embedded.RedisServer server;
    private final int port;

    private RedisServer(redis.embedded.RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts Redis on {@code port} (0 = a free port below 32768) keeping its files in {@code dataDir}. */
    public static RedisServer start(Path dataDir, int port) {
        long started = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        int redisPort = port == 0 ? FreePorts.pick() : port;
        redis.embedded.RedisServer server;
        try {
            Files.createDirectories(dir);
            server = redis.embedded.RedisServer.newRedisServer()
                    .port(redisPort)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    // Presence relies on expired-key events to announce OFFLINE when an edge dies.
                    .setting("notify-keyspace-events Ex")
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("save 60 1")
                    // Lets the dev stack find and stop a redis-server left over from a killed run.
                    .setting("pidfile " + dir.resolve(PID_FILE))
                    .onShutdownForceStop(false)
                    .soutListener(line -> REDIS_OUTPUT.debug("{}", line))
                    .serrListener(line -> REDIS_OUTPUT.warn("{}", line))
                    .build();
            server.start();
        } catch (IOException | RuntimeException e) {
            throw new StartupException("Redis on 127.0.0.1:" + redisPort + " (data " + dir + ") failed to start", e);
        }
        LOG.info("Redis ready on {} (data {}) in {} ms", "127.0.0.1:" + redisPort, dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new RedisServer(server, redisPort);
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} for Lettuce's {@code RedisClient.create}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops redis-server; it writes its append-only file and snapshot before exiting. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new IllegalStateException("could not stop Redis on port " + port, e);
        }
        LOG.info("Redis on port {} stopped", port);
    }
}
