package io.natter.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry 3 as a child JVM on 127.0.0.1, with BACKWARD compatibility as the global rule and its H2
 * database in a file under the data dir, so subjects outlive a restart. Clients use its Confluent API at {@link #url()}.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    /** System property naming the unpacked Apicurio distribution (the directory holding quarkus-run.jar). */
    public static final String HOME_PROPERTY = "natter.apicurio.home";
    /** Environment variable naming the unpacked Apicurio distribution, used when the property is unset. */
    public static final String HOME_ENV = "NATTER_APICURIO_HOME";
    private static final String RUN_JAR = "quarkus-run.jar";
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final JavaProcess process;
    private final int port;

    private SchemaRegistryServer(JavaProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the registry on {@code port} (0 = a free port below 32768) with its database and log in {@code dataDir},
     * using the distribution found by {@link #resolveHome}. Returns once the Confluent API lists subjects.
     */
    public static SchemaRegistryServer start(Path dataDir, int port) {
        Path home = resolveHome(Optional.ofNullable(System.getProperty(HOME_PROPERTY)),
                Optional.ofNullable(System.getenv(HOME_ENV)), Path.of("").toAbsolutePath());
        return start(dataDir, port, home);
    }

    /** Starts the registry from the Apicurio distribution unpacked in {@code apicurioHome}. */
    public static SchemaRegistryServer start(Path dataDir, int port, Path apicurioHome) {
        long started = System.nanoTime();
        Path runJar = apicurioHome.resolve(RUN_JAR);
        if (!Files.isRegularFile(runJar)) {
            throw new StartupException("Apicurio Registry not found: " + runJar + " is missing. Build infra first "
                    + "(./mvnw -pl infra -am package -DskipTests unpacks it into infra/target/apicurio) or set -D"
                    + HOME_PROPERTY + " / " + HOME_ENV + " to an unpacked apicurio-registry-app distribution.");
        }
        Path data = dataDir.toAbsolutePath().normalize();
        List<Integer> ports = FreePorts.pick(2);
        int httpPort = port == 0 ? ports.get(0) : port;
        int managementPort = ports.stream().filter(p -> p != httpPort).findFirst().orElseThrow();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new StartupException("could not create registry data dir " + data, e);
        }
        JavaProcess process = JavaProcess.start("schema-registry",
                arguments(runJar, data, httpPort, managementPort), Map.of(), data, data.resolve("registry.log"));
        SchemaRegistryServer server = new SchemaRegistryServer(process, httpPort);
        try {
            server.awaitReady();
        } catch (RuntimeException e) {
            process.close();
            throw new StartupException("Apicurio Registry did not become ready on port " + httpPort + "; last log lines of "
                    + process.logFile() + ":" + System.lineSeparator() + process.logTail(30), e);
        }
        LOG.info("Schema registry ready at {} (pid {}, data {}) in {} ms", server.url(), process.pid(), data,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return server;
    }

    /** The JVM arguments that start Apicurio bound to loopback, with a file database and the BACKWARD global rule. */
    static List<String> arguments(Path runJar, Path dataDir, int httpPort, int managementPort) {
        return List.of(
                "-Xmx512m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                // The management interface (health, metrics) defaults to 0.0.0.0:9000, which is S3's dev port.
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN",
                "-Dquarkus.http.access-log.enabled=false",
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:file:" + dataDir.resolve("registry"),
                // The default pool opens 20 connections at start, which only slows a dev start-up.
                "-Dapicurio.datasource.jdbc.initial-size=2",
                "-Dapicurio.datasource.jdbc.min-size=2",
                "-Dapicurio.datasource.jdbc.max-size=20",
                "-jar", runJar.toString());
    }

    /**
     * Where the Apicurio distribution is: the system property, else the environment variable, else
     * {@code infra/target/apicurio} under the repository root above {@code workingDir}.
     */
    static Path resolveHome(Optional<String> property, Optional<String> env, Path workingDir) {
        return property.filter(value -> !value.isBlank())
                .or(() -> env.filter(value -> !value.isBlank()))
                .map(Path::of)
                .or(() -> RepoRoot.find(workingDir).map(root -> root.resolve("infra").resolve("target").resolve("apicurio")))
                .orElseThrow(() -> new StartupException("cannot locate Apicurio Registry: set -D" + HOME_PROPERTY
                        + " or " + HOME_ENV + ", or run inside the Natter repository (no infra/pom.xml above "
                        + workingDir + ")"));
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        Await.until("Apicurio answers GET " + subjects.uri() + " with 200", READY_TIMEOUT, () -> {
            if (!process.isAlive()) {
                throw new StartupException("Apicurio exited with code " + process.onExit().join().exitValue());
            }
            try {
                return http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for Apicurio", e);
            }
        });
    }

    /** The Confluent-compatible API root, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return process.logFile();
    }

    /** Stops the registry process (and any descendants) and waits until it has exited. */
    @Override
    public void close() {
        process.close();
        LOG.info("Schema registry on port {} stopped", port);
    }
}
