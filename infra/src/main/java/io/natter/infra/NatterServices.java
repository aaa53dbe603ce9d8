package io.natter.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the dev stack starts Natter's own services as child JVMs: main classes, environment, readiness and the dev
 * token. Only names are shared with those modules, so infra compiles without them.
 */
final class NatterServices {
    static final String TOPOLOGIES_MODULE = "topologies";
    static final String TOPOLOGIES_MAIN = "io.natter.topologies.TopologiesApp";
    static final String EDGE_MODULE = "edge-ws";
    static final String EDGE_MAIN = "io.natter.edge.EdgeServer";
    static final String DEV_TOKEN_MAIN = "io.natter.edge.DevTokenCommand";
    static final String MIRRORMAKER_MODULE = "mirrormaker";
    static final String MIRRORMAKER_MAIN = "io.natter.mirrormaker.MirrorMakerApp";
    /** What MirrorMakerApp logs once every connector and task of both flows runs. */
    static final String MIRRORMAKER_READY_LINE = "MirrorMaker replicating";
    static final String ATTACHMENT_MODULE = "attachment-api";
    static final String ATTACHMENT_MAIN = "io.natter.attachment.AttachmentServer";
    static final String ATTACHMENT_NAME = "attachment-api";
    static final String REGION = "us";
    private static final String AVRO_TRUST = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.natter.schemas.avro";
    /**
     * The dev stack runs five JVMs on what may be a 2-core laptop: the parallel collector's short young pauses and
     * cheaper write barriers beat G1 there (bench/RESULTS.md: delivery p99 at 13,500 copies/s 78 → 64 ms).
     */
    static final String DEV_GC = "-XX:+UseParallelGC";
    /**
     * Heaps on transparent huge pages (where the kernel's THP mode is {@code madvise}, Debian's default, a JVM gets
     * them only when asked): five JVMs taking turns on two cores lose less to TLB misses, ~0.09 server cores of ~1.45
     * at 45,000 copies/s (bench/RESULTS.md, session 11). Where THP is off the JVM warns once and runs without.
     */
    static final String DEV_HUGE_PAGES = "-XX:+UseTransparentHugePages";
    private static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(60);

    /** Where the services find the infrastructure and the topologies' query APIs. */
    record Endpoints(String kafkaBootstrap, String schemaRegistryUrl, String redisUri, List<String> topologyQueryUrls) {}

    /**
     * The region services run in: its name, the prefix of their process names ({@code eu-edge-1}; empty for one
     * region), and what topologies and edges must know of the peer region (nothing for one region).
     */
    record RegionEnv(String region, String namePrefix, Map<String, String> topologyEnv, Map<String, String> edgeEnv) {
        static RegionEnv single() {
            return new RegionEnv(REGION, "", Map.of(), Map.of());
        }

        /**
         * Region {@code region} of a pair: topologies judge and replicate with {@code peer} (NATTER_PEER_REGIONS)
         * and are fenced while the peer's cluster says this region is down; edges deliver the peer's mirrored
         * topics and ACK at {@code ackLevel}, watching the peer's cluster.
         */
        static RegionEnv ofPair(String region, String peer, String peerKafkaBootstrap, String ackLevel) {
            return new RegionEnv(region, region + "-", Map.of("NATTER_PEER_REGIONS", peer,
                    "NATTER_PEER_KAFKA_BOOTSTRAP", peerKafkaBootstrap),
                    Map.of("NATTER_PEER_REGIONS", peer, "NATTER_ACK_LEVEL", ackLevel,
                            "NATTER_PEER_KAFKA_BOOTSTRAP", peerKafkaBootstrap));
        }
    }

    private final Path repoRoot;
    private final DevStackLayout layout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    NatterServices(Path repoRoot, DevStackLayout layout) {
        this.repoRoot = repoRoot;
        this.layout = layout;
    }

    ModuleClasspath topologiesClasspath() {
        return ModuleClasspath.of(repoRoot, TOPOLOGIES_MODULE, TOPOLOGIES_MAIN,
                "To start only the other parts, pass --topologies 0.");
    }

    ModuleClasspath edgeClasspath() {
        return ModuleClasspath.of(repoRoot, EDGE_MODULE, EDGE_MAIN, "To start only the other parts, pass --edges 0.");
    }

    ModuleClasspath mirrorMakerClasspath() {
        return ModuleClasspath.of(repoRoot, MIRRORMAKER_MODULE, MIRRORMAKER_MAIN, "--regions needs the mirrormaker module.");
    }

    ModuleClasspath attachmentClasspath() {
        return ModuleClasspath.of(repoRoot, ATTACHMENT_MODULE, ATTACHMENT_MAIN,
                "It runs with the edges; to start only the infrastructure, pass --edges 0.");
    }

    /**
     * Starts the attachment-api on {@code port} against the stack's Postgres and S3 store (it migrates its table and
     * creates its bucket at start) and the topologies' query API for membership.
     */
    JavaProcess startAttachmentApi(ModuleClasspath classpath, int port, Endpoints endpoints, PostgresServer postgres,
            ObjectStoreServer objectStore) {
        return startAttachmentApi(classpath, port, endpoints, postgres, objectStore, RegionEnv.single());
    }

    /** As above, in {@code region} (named {@code <region>-attachment-api} when there are two). */
    JavaProcess startAttachmentApi(ModuleClasspath classpath, int port, Endpoints endpoints, PostgresServer postgres,
            ObjectStoreServer objectStore, RegionEnv region) {
        return start(region.namePrefix() + ATTACHMENT_NAME, classpath, ATTACHMENT_MAIN, Map.ofEntries(
                Map.entry("NATTER_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap()),
                Map.entry("NATTER_SCHEMA_REGISTRY_URL", endpoints.schemaRegistryUrl()),
                Map.entry("NATTER_REGION", region.region()),
                Map.entry("NATTER_ATTACHMENT_PORT", Integer.toString(port)),
                Map.entry("NATTER_NODE_ID", region.namePrefix() + ATTACHMENT_NAME),
                Map.entry("NATTER_TOPOLOGY_QUERY_URLS", String.join(",", endpoints.topologyQueryUrls())),
                Map.entry("NATTER_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/"
                        + PostgresServer.DATABASE),
                Map.entry("NATTER_POSTGRES_USER", PostgresServer.USER),
                Map.entry("NATTER_S3_ENDPOINT", objectStore.endpoint()),
                Map.entry("NATTER_S3_ACCESS_KEY", objectStore.accessKey()),
                Map.entry("NATTER_S3_SECRET_KEY", objectStore.secretKey())));
    }

    /** Starts the {@code n}th Kafka Streams instance with its own state dir; all share one application id. */
    JavaProcess startTopologies(ModuleClasspath classpath, int n, int queryPort, Endpoints endpoints) {
        return startTopologies(classpath, n, queryPort, endpoints, RegionEnv.single(), layout);
    }

    /** As above, in {@code region}, with state under {@code regionLayout}. */
    JavaProcess startTopologies(ModuleClasspath classpath, int n, int queryPort, Endpoints endpoints, RegionEnv region,
            DevStackLayout regionLayout) {
        String name = region.namePrefix() + "topologies-" + n;
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "NATTER_SCHEMA_REGISTRY_URL", endpoints.schemaRegistryUrl(),
                "NATTER_REGION", region.region(),
                "NATTER_TOPOLOGY_STATE_DIR", regionLayout.topologyState(n).toString(),
                "NATTER_TOPOLOGY_INSTANCE_ID", name,
                "NATTER_TOPOLOGY_QUERY_PORT", Integer.toString(queryPort)));
        env.putAll(region.topologyEnv());
        return start(name, classpath, TOPOLOGIES_MAIN, env);
    }

    /** Starts the {@code n}th edge on {@code port}, its internal gRPC on {@code grpcPort}, with node id {@code edge-n}. */
    JavaProcess startEdge(ModuleClasspath classpath, int n, int port, int grpcPort, Endpoints endpoints) {
        return startEdge(classpath, n, port, grpcPort, endpoints, RegionEnv.single());
    }

    /** As above, in {@code region} (node id {@code <region>-edge-n} when there are two). */
    JavaProcess startEdge(ModuleClasspath classpath, int n, int port, int grpcPort, Endpoints endpoints,
            RegionEnv region) {
        String name = region.namePrefix() + "edge-" + n;
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "NATTER_SCHEMA_REGISTRY_URL", endpoints.schemaRegistryUrl(),
                "NATTER_REGION", region.region(),
                "NATTER_EDGE_PORT", Integer.toString(port),
                "NATTER_NODE_ID", name,
                "NATTER_TOPOLOGY_QUERY_URLS", String.join(",", endpoints.topologyQueryUrls()),
                "NATTER_REDIS_URI", endpoints.redisUri(),
                "NATTER_GRPC_PORT", Integer.toString(grpcPort)));
        env.putAll(region.edgeEnv());
        return start(name, classpath, EDGE_MAIN, env);
    }

    /** Starts MirrorMaker 2 (both flows, the bundled template) between regions {@code a} and {@code b}. */
    JavaProcess startMirrorMaker(ModuleClasspath classpath, String a, Endpoints aEndpoints, String b,
            Endpoints bEndpoints) {
        return start("mirrormaker", classpath, MIRRORMAKER_MAIN, Map.of(
                "NATTER_MM2_REGION_A", a,
                "NATTER_MM2_REGION_A_KAFKA_BOOTSTRAP", aEndpoints.kafkaBootstrap(),
                "NATTER_MM2_REGION_A_SCHEMA_REGISTRY_URL", aEndpoints.schemaRegistryUrl(),
                "NATTER_MM2_REGION_B", b,
                "NATTER_MM2_REGION_B_KAFKA_BOOTSTRAP", bEndpoints.kafkaBootstrap(),
                "NATTER_MM2_REGION_B_SCHEMA_REGISTRY_URL", bEndpoints.schemaRegistryUrl()));
    }

    /**
     * Waits until MirrorMaker logs that every connector runs (after byte {@code logFrom} of its log, which earlier runs
     * appended to), failing early (with its log) if it exits.
     */
    void awaitMirrorMakerReady(JavaProcess mirrorMaker, long logFrom, Duration timeout) {
        Await.until(mirrorMaker.name() + " logs '" + MIRRORMAKER_READY_LINE + "'", timeout, () -> {
            if (!mirrorMaker.isAlive()) {
                throw new StartupException(mirrorMaker.name() + " exited with code "
                        + mirrorMaker.onExit().join().exitValue() + "; last lines of " + mirrorMaker.logFile() + ":"
                        + System.lineSeparator() + mirrorMaker.logTail(30));
            }
            try {
                byte[] log = java.nio.file.Files.readAllBytes(mirrorMaker.logFile());
                int from = (int) Math.min(logFrom, log.length);
                return new String(log, from, log.length - from, StandardCharsets.UTF_8).contains(MIRRORMAKER_READY_LINE);
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until the service answers {@code GET /health/ready} with 200, failing early (with its log) if it exits. */
    void awaitReady(JavaProcess service, int port, Duration timeout) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        Await.until(service.name() + " answers GET " + ready.uri() + " with 200", timeout, () -> {
            if (!service.isAlive()) {
                throw new StartupException(service.name() + " exited with code " + service.onExit().join().exitValue()
                        + " before it was ready; last lines of " + service.logFile() + ":" + System.lineSeparator()
                        + service.logTail(30));
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for " + service.name(), e);
            }
        });
    }

    /** Runs the edge's DevTokenCommand for {@code userId} and returns the token it prints (its last output line). */
    String devToken(ModuleClasspath edgeClasspath, String userId) {
        List<String> command = new ArrayList<>(List.of(JavaProcess.javaExecutable().toString(), AVRO_TRUST,
                "-cp", edgeClasspath.classpath(), DEV_TOKEN_MAIN, userId));
        Path log = layout.log("dev-token");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(repoRoot.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TOKEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new StartupException(DEV_TOKEN_MAIN + " did not finish within " + TOKEN_TIMEOUT.toSeconds() + " s");
            }
            List<String> lines = output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
            if (process.exitValue() != 0 || lines.isEmpty()) {
                throw new StartupException(DEV_TOKEN_MAIN + " exited with code " + process.exitValue()
                        + " and printed no token; see " + log);
            }
            return lines.get(lines.size() - 1);
        } catch (IOException e) {
            throw new StartupException("could not run " + DEV_TOKEN_MAIN, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while running " + DEV_TOKEN_MAIN, e);
        }
    }

    private JavaProcess start(String name, ModuleClasspath classpath, String mainClass, Map<String, String> env) {
        List<String> arguments = List.of(DEV_GC, DEV_HUGE_PAGES, AVRO_TRUST, "-cp", classpath.classpath(), mainClass);
        return JavaProcess.start(name, arguments, env, repoRoot, layout.log(name));
    }
}
