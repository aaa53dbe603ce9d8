package io.natter.bench;

import io.natter.edge.EdgeConfig;
import io.natter.edge.EdgeServer;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.KafkaBroker;
import io.natter.infra.RedisServer;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.TopicNames;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole stack in this JVM, on loopback and free ports, data in a temp directory: KRaft broker, Apicurio (a child
 * process), Redis (a child process), one topology instance, {@code --in-process-edges} edges. The generator shares
 * the JVM, so its CPU is inside the server figure.
 */
final class InProcessTarget implements Target {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path dataDir;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<URI> edges = new ArrayList<>();
    private TokenSource tokens;
    private String description;
    private String bootstrapServers;
    private String registryUrl;

    private InProcessTarget(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts everything; on failure stops what did start and rethrows. */
    static InProcessTarget start(LoadOptions options) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("natter-load");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temp directory", e);
        }
        InProcessTarget target = new InProcessTarget(dataDir);
        try {
            target.startAll(options);
            return target;
        } catch (RuntimeException | InterruptedException e) {
            target.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("in-process stack failed to start: " + e.getMessage(), e);
        }
    }

    private void startAll(LoadOptions options) throws InterruptedException {
        long begin = System.nanoTime();
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        KafkaBroker broker = add(KafkaBroker.start(dataDir.resolve("kafka"), 0));
        broker.createTopics(TopicNames.ALL, options.partitions());
        RedisServer redis = add(RedisServer.start(dataDir.resolve("redis"), 0));
        SchemaRegistryServer registry = add(registryStart.join());
        bootstrapServers = broker.bootstrapServers();
        registryUrl = registry.url();
        TopologiesApp topologies = add(TopologiesApp.start(TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0",
                "NATTER_PROCESSING_GUARANTEE", options.guarantee(),
                "NATTER_COMMIT_INTERVAL_MS", Integer.toString(options.commitIntervalMs())))));
        topologies.awaitRunning(READY_TIMEOUT);
        EdgeConfig first = null;
        for (int n = 1; n <= options.inProcessEdges(); n++) {
            Map<String, String> env = new HashMap<>(options.edgeEnv());
            env.putAll(Map.of(
                    "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                    "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                    "NATTER_EDGE_PORT", "0",
                    "NATTER_GRPC_PORT", "0",
                    "NATTER_NODE_ID", "edge-load-" + n,
                    "NATTER_REDIS_URI", redis.uri(),
                    "NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort()));
            EdgeConfig config = EdgeConfig.fromEnv(env);
            first = first == null ? config : first;
            EdgeServer edge = add(EdgeServer.start(config));
            edges.add(URI.create("ws://127.0.0.1:" + edge.port() + "/ws"));
        }
        tokens = new TokenSource.Minted(new HmacTokenSigner(first.jwtSecret(), first.jwtIssuer(), first.jwtAudience(),
                Clock.systemUTC()), options.tokenTtl());
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (URI edge : edges) {
                awaitReady(http, LoadOptions.restBase(edge));
            }
        }
        description = String.format("in-process stack (%s, commit %d ms, %d partitions, %d edge%s) started in %.1f s",
                options.guarantee(), options.commitIntervalMs(), options.partitions(), edges.size(),
                edges.size() == 1 ? "" : "s", (System.nanoTime() - begin) / 1e9);
    }

    private <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    private static void awaitReady(HttpClient http, URI base) throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(base.resolve("/health/ready")).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet: try again until the deadline.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("edge " + base + " not ready within " + READY_TIMEOUT.toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    @Override
    public List<URI> edges() {
        return List.copyOf(edges);
    }

    /** The in-process broker, for tools that read Kafka (./bench/hops). */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The in-process registry's Confluent-API base URL. */
    String registryUrl() {
        return registryUrl;
    }

    @Override
    public TokenSource tokens() {
        return tokens;
    }

    /** This JVM (broker, topology, edges and the generator) with its children (the registry, Redis). */
    @Override
    public List<LoadOptions.NamedPid> serverProcesses() {
        return List.of(new LoadOptions.NamedPid("this JVM (stack + generator) with registry and Redis",
                ProcessHandle.current().pid()));
    }

    @Override
    public boolean sharesJvmWithServers() {
        return true;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("stopping the in-process stack failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        deleteDataDir();
        if (failure != null) {
            throw failure;
        }
    }

    private void deleteDataDir() {
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dataDir, e);
        }
    }
}
