package io.natter.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real PostgreSQL 18 (zonky's embedded binaries) on 127.0.0.1 whose cluster lives in the data dir across restarts. */
public final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    /** Superuser and database zonky's initdb creates; dev only. */
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    /** Postgres' own pid file, relative to the data dir given to {@link #start}. */
    public static final Path POSTMASTER_PID = Path.of("data", "postmaster.pid");

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private PostgresServer(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /**
     * Starts Postgres on {@code port} (0 = a free port below 32768) with its cluster in {@code dataDir/data}
     * (initialised on first use, reused afterwards) and its server log in {@code dataDir/postgres.log}.
     */
    public static PostgresServer start(Path dataDir, int port) {
        long started = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        int pgPort = port == 0 ? FreePorts.pick() : port;
        Path log = dir.resolve("postgres.log");
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(dir);
            postgres = EmbeddedPostgres.builder()
                    .setPort(pgPort)
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // The dev stack stops Postgres itself, in order; a second hook would race it.
                    .setRegisterShutdownHook(false)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new StartupException("Postgres on 127.0.0.1:" + pgPort + " (data " + dir + ", log " + log
                    + ") failed to start", e);
        }
        LOG.info("Postgres ready on 127.0.0.1:{} (data {}) in {} ms", pgPort, dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new PostgresServer(postgres, dir);
    }

    public int port() {
        return postgres.getPort();
    }

    /** JDBC URL of the {@code postgres} database as user {@code postgres} (trust authentication, no password). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE + "?user=" + USER;
    }

    /** Stops Postgres (fast shutdown) and waits for it; the cluster stays on disk. */
    @Override
    public void close() {
        int port = port();
        if (PidFile.read(dataDir.resolve(POSTMASTER_PID)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .isEmpty()) {
            // Already stopped, e.g. by the terminal's Ctrl-C reaching the whole process group; pg_ctl would fail.
            LOG.info("Postgres on port {} had already stopped", port);
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("could not stop Postgres on port " + port, e);
        }
        LOG.info("Postgres on port {} stopped", port);
    }
}
