package io.natter.infra;

import io.natter.schemas.AvroTrust;
import io.natter.schemas.TopicNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./natter dev}: starts Kafka, the schema registry, Redis, Postgres and the S3 store on fixed loopback ports
 * (all but the registry in this JVM), creates Natter's topics, then runs the topologies and edges as child JVMs and
 * prints where everything is. Ctrl-C or SIGTERM stops the services, then the components, in reverse order.
 * With {@code --regions a,b} it does so for each region (the second's ports + 10000) and runs MirrorMaker 2 between
 * them as a child JVM.
 */
public final class DevStack implements AutoCloseable {
    private static final Duration EDGE_READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CHILD_GRACE = Duration.ofSeconds(15);
    private static final String DEV_USER = "demo";
    private static final Duration MIRRORMAKER_READY_TIMEOUT = Duration.ofSeconds(180);
    /** The edges' ack level in a two-region stack. */
    static final String ACK_LEVEL_ENV = "NATTER_ACK_LEVEL";

    /** Something this JVM started and must stop, with a name for messages. */
    private record Component(String name, AutoCloseable resource) {}

    private final DevStackConfig config;
    private final Path repoRoot;
    private final DevStackLayout layout;
    private final NatterServices services;
    private final PrintStream out;
    private final Deque<Component> components = new ConcurrentLinkedDeque<>();
    private final List<JavaProcess> topologies = new CopyOnWriteArrayList<>();
    private final List<JavaProcess> edges = new CopyOnWriteArrayList<>();
    private final List<JavaProcess> attachmentApis = new CopyOnWriteArrayList<>();
    private final List<Path> pidFiles = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile CompletableFuture<SchemaRegistryServer> registryStart = CompletableFuture.completedFuture(null);
    private volatile JavaProcess mirrorMaker;

    DevStack(DevStackConfig config, Path repoRoot, PrintStream out) {
        this.config = config;
        this.repoRoot = repoRoot;
        this.layout = DevStackLayout.under(repoRoot);
        this.services = new NatterServices(repoRoot, layout);
        this.out = out;
    }

    public static void main(String[] args) {
        AvroTrust.install();
        DevStackConfig config;
        try {
            config = DevStackConfig.parse(List.of(args), System.getenv());
        } catch (UsageException e) {
            System.err.println("natter dev: " + e.getMessage());
            System.err.println(DevStackConfig.usage());
            System.exit(2);
            return;
        }
        if (config.help()) {
            System.out.println(DevStackConfig.usage());
            return;
        }
        DevStack stack;
        try {
            stack = new DevStack(config, RepoRoot.fromWorkingDirectory(), System.out);
        } catch (StartupException e) {
            System.err.println("natter dev: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "natter-dev-shutdown"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            System.err.println("natter dev: " + describe(e));
            // Exiting runs the shutdown hook, which stops whatever did start (Kafka leaves non-daemon threads).
            System.exit(1);
        }
        stack.awaitStopped();
    }

    /** Starts everything and prints the endpoints; throws (leaving cleanup to {@link #close()}) if a part fails. */
    void start() {
        long started = System.nanoTime();
        Optional<ModuleClasspath> topologiesClasspath = config.topologies() > 0
                ? Optional.of(services.topologiesClasspath()) : Optional.empty();
        Optional<ModuleClasspath> edgeClasspath = config.edges() > 0
                ? Optional.of(services.edgeClasspath()) : Optional.empty();
        Optional<ModuleClasspath> mirrorMakerClasspath = config.regions().isEmpty()
                ? Optional.empty() : Optional.of(services.mirrorMakerClasspath());
        Optional<ModuleClasspath> attachmentClasspath = config.edges() > 0
                ? Optional.of(services.attachmentClasspath()) : Optional.empty();

        prepareDataDir();
        if (config.regions().isEmpty()) {
            Region region = startInfrastructure(null, 0, layout);
            startServices(region, NatterServices.RegionEnv.single(), topologiesClasspath, edgeClasspath,
                    attachmentClasspath);
            Optional<String> token = edgeClasspath.map(classpath -> services.devToken(classpath, DEV_USER));
            printEndpoints(region, token);
        } else {
            List<Region> regions = new ArrayList<>();
            for (int i = 0; i < config.regions().size(); i++) {
                String name = config.regions().get(i);
                regions.add(startInfrastructure(name, i * DevStackConfig.REGION_PORT_OFFSET, layout.region(name)));
            }
            // Each region's topologies subscribe to the peer's mirrored topics: create them (same partition count)
            // before they start; MirrorMaker reuses them.
            for (int i = 0; i < regions.size(); i++) {
                String peer = regions.get(1 - i).name();
                regions.get(i).kafka().createTopics(TopicNames.ALL.stream().map(topic -> peer + "." + topic).toList(),
                        config.partitions());
            }
            startMirrorMaker(mirrorMakerClasspath.orElseThrow(), regions.get(0), regions.get(1));
            String ackLevel = Optional.ofNullable(System.getenv(ACK_LEVEL_ENV)).filter(v -> !v.isBlank())
                    .orElse("local");
            for (int i = 0; i < regions.size(); i++) {
                Region region = regions.get(i);
                Region peer = regions.get(1 - i);
                startServices(region, NatterServices.RegionEnv.ofPair(region.name(), peer.name(),
                        peer.kafka().bootstrapServers(), ackLevel), topologiesClasspath, edgeClasspath,
                        attachmentClasspath);
                writeRegionFile(region);
            }
            Optional<String> token = edgeClasspath.map(classpath -> services.devToken(classpath, DEV_USER));
            for (Region region : regions) {
                out.println();
                out.println("Region " + region.name() + (region.name().equals(regions.get(0).name()) ? "" : " (ports + "
                        + DevStackConfig.REGION_PORT_OFFSET + ")") + ":");
                printEndpoints(region, Optional.empty());
            }
            line("MirrorMaker 2", regions.get(0).name() + " <-> " + regions.get(1).name() + ", pid "
                    + mirrorMaker.pid() + ", log " + mirrorMaker.logFile());
            line("Edge ack level", ackLevel + "  (env " + ACK_LEVEL_ENV + "=local|replicated)");
            token.ifPresent(value -> line("Dev token (" + DEV_USER + ")", value));
            line("Failover", "./natter region down <r> --on <surviving>; ./natter region up <r>; "
                    + "./natter region rehome <roomId> --to <r>");
            out.println();
        }
        out.printf(Locale.ROOT, "Natter dev stack ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** One region's infrastructure (and, once started, its services' ports); {@code name} null for a single region. */
    private record Region(String name, DevStackPorts ports, KafkaBroker kafka, SchemaRegistryServer registry,
            RedisServer redis, PostgresServer postgres, ObjectStoreServer objectStore, DevStackLayout data,
            List<JavaProcess> edges, List<JavaProcess> topologies, List<JavaProcess> attachmentApis) {
        String label(String what) {
            return name == null ? what : name + " " + what;
        }

        NatterServices.Endpoints endpoints() {
            return new NatterServices.Endpoints(kafka.bootstrapServers(), registry.url(), redis.uri(),
                    ports.topologyQueries().stream().map(port -> "http://127.0.0.1:" + port).toList());
        }
    }

    /** Kafka (with every topic), the registry, Redis, Postgres and S3 of one region, ports moved up by {@code offset}. */
    private Region startInfrastructure(String name, int offset, DevStackLayout data) {
        data.create();
        DevStackPorts ports = DevStackPorts.choose(config.edges(), config.topologies(), offset, FreePorts::isFree);
        String prefix = name == null ? "" : name + "-";
        String label = name == null ? "" : name + " ";
        if (ports.postgres() != DevStackPorts.POSTGRES + offset) {
            out.println("Port " + (DevStackPorts.POSTGRES + offset) + " is taken, so " + label + "Postgres listens on "
                    + ports.postgres());
        }
        // The registry is a separate JVM that needs nothing else, so its ~4 s start overlaps the others'.
        CompletableFuture<SchemaRegistryServer> registryStarting = CompletableFuture.supplyAsync(() -> {
            SchemaRegistryServer registry = SchemaRegistryServer.start(data.registry(), ports.registry());
            components.add(new Component(label + "schema registry", registry));
            writePidFile(prefix + "schema-registry", registry.pid());
            return registry;
        });
        registryStart = registryStarting;
        KafkaBroker kafka = add(label + "Kafka", KafkaBroker.start(data.kafka(), ports.kafka()));
        kafka.createTopics(TopicNames.ALL, config.partitions());
        RedisServer redis = add(label + "Redis", RedisServer.start(data.redis(), ports.redis()));
        PostgresServer postgres = add(label + "Postgres", PostgresServer.start(data.postgres(), ports.postgres()));
        ObjectStoreServer objectStore = add(label + "S3 store", ObjectStoreServer.start(data.objectStore(),
                ports.objectStore()));
        SchemaRegistryServer registry = join(registryStarting);
        return new Region(name, ports, kafka, registry, redis, postgres, objectStore, data, new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>());
    }

    /** The region's topologies, then its edges, waiting until every edge is ready. */
    private void startServices(Region region, NatterServices.RegionEnv env, Optional<ModuleClasspath> topologiesClasspath,
            Optional<ModuleClasspath> edgeClasspath, Optional<ModuleClasspath> attachmentClasspath) {
        NatterServices.Endpoints endpoints = region.endpoints();
        DevStackPorts ports = region.ports();
        topologiesClasspath.ifPresent(classpath -> {
            for (int n = 1; n <= config.topologies(); n++) {
                JavaProcess child = watch(services.startTopologies(classpath, n, ports.topologyQueries().get(n - 1),
                        endpoints, env, region.data()));
                topologies.add(child);
                region.topologies().add(child);
            }
        });
        edgeClasspath.ifPresent(classpath -> {
            for (int n = 1; n <= config.edges(); n++) {
                JavaProcess child = watch(services.startEdge(classpath, n, ports.edges().get(n - 1),
                        ports.edgeGrpc().get(n - 1), endpoints, env));
                edges.add(child);
                region.edges().add(child);
            }
        });
        attachmentClasspath.ifPresent(classpath -> {
            JavaProcess child = watch(services.startAttachmentApi(classpath, ports.attachmentApi(), endpoints,
                    region.postgres(), region.objectStore(), env));
            attachmentApis.add(child);
            region.attachmentApis().add(child);
        });
        for (int i = 0; i < region.edges().size(); i++) {
            services.awaitReady(region.edges().get(i), ports.edges().get(i), EDGE_READY_TIMEOUT);
        }
        for (JavaProcess attachmentApi : region.attachmentApis()) {
            services.awaitReady(attachmentApi, ports.attachmentApi(), EDGE_READY_TIMEOUT);
        }
    }

    /** MirrorMaker 2 between the two regions as a child JVM, waited for until both flows replicate. */
    private void startMirrorMaker(ModuleClasspath classpath, Region a, Region b) {
        long logFrom = sizeOf(layout.log("mirrormaker"));
        mirrorMaker = watch(services.startMirrorMaker(classpath, a.name(), a.endpoints(), b.name(), b.endpoints()));
        services.awaitMirrorMakerReady(mirrorMaker, logFrom, MIRRORMAKER_READY_TIMEOUT);
    }

    /** {@code .natter/run/region-<r>.env}: what {@code ./natter region} needs to reach the region's topologies. */
    private void writeRegionFile(Region region) {
        Path file = layout.run().resolve("region-" + region.name() + ".env");
        String text = "TOPOLOGY_URL=http://127.0.0.1:" + region.ports().topologyQueries().getFirst() + System.lineSeparator()
                + "EDGE_URL=http://127.0.0.1:" + region.ports().edges().getFirst() + System.lineSeparator()
                + "KAFKA=" + region.kafka().bootstrapServers() + System.lineSeparator();
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new StartupException("could not write " + file, e);
        }
        pidFiles.add(file);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void prepareDataDir() {
        LeftoverProcesses.refuseIfAnotherStackRuns(layout);
        List<LeftoverProcesses.Leftover> leftovers = LeftoverProcesses.find(layout);
        for (LeftoverProcesses.Leftover leftover : leftovers) {
            out.println("Stopping " + leftover.name() + " (pid " + leftover.process().pid()
                    + ") left running by an earlier dev stack");
        }
        LeftoverProcesses.stop(leftovers, CHILD_GRACE);
        LeftoverProcesses.forgetPidFiles(layout);
        if (config.clean()) {
            layout.delete();
            out.println("Deleted " + layout.root());
        }
        layout.create();
        writePidFile(LeftoverProcesses.DEV_STACK, ProcessHandle.current().pid());
    }

    private void printEndpoints(Region region, Optional<String> token) {
        String relativeRoot = repoRoot.relativize(layout.root()).toString();
        DevStackPorts ports = region.ports();
        out.println();
        for (int i = 0; i < region.edges().size(); i++) {
            int port = ports.edges().get(i);
            String name = region.edges().get(i).name();
            line(name + " WebSocket", "ws://127.0.0.1:" + port + "/ws");
            line(name + " REST", "http://127.0.0.1:" + port + "  (metrics: /metrics)");
            line(name + " gRPC", "127.0.0.1:" + ports.edgeGrpc().get(i) + "  (internal PresenceService)");
        }
        for (JavaProcess attachmentApi : region.attachmentApis()) {
            line(attachmentApi.name(), "http://127.0.0.1:" + ports.attachmentApi() + "  (REST; OpenAPI: /openapi.yaml; "
                    + "bucket natter-attachments)");
        }
        for (int i = 0; i < region.topologies().size(); i++) {
            line(region.topologies().get(i).name(), "pid " + region.topologies().get(i).pid()
                    + ", query API http://127.0.0.1:" + ports.topologyQueries().get(i));
        }
        line(region.label("Schema registry"), region.registry().url());
        line(region.label("Kafka"), region.kafka().bootstrapServers() + "  (" + TopicNames.ALL.size() + " topics)");
        line(region.label("Postgres"), region.postgres().jdbcUrl());
        line(region.label("Redis"), region.redis().uri());
        line(region.label("S3"), region.objectStore().endpoint() + "  (access key " + region.objectStore().accessKey()
                + ", secret key " + region.objectStore().secretKey() + ")");
        line("Data", repoRoot.relativize(region.data().root()) + "/   logs: " + relativeRoot + "/logs/");
        token.ifPresent(value -> line("Dev token (" + DEV_USER + ")", value));
        out.println();
    }

    private void line(String label, String value) {
        out.printf("  %-22s %s%n", label, value);
    }

    private <T extends AutoCloseable> T add(String name, T resource) {
        components.add(new Component(name, resource));
        return resource;
    }

    private void writePidFile(String name, long pid) {
        Path file = layout.pidFile(name);
        PidFile.write(file, pid);
        pidFiles.add(file);
    }

    /** Records the service's pid and reports it if it exits while the stack is up, with its log. */
    private JavaProcess watch(JavaProcess child) {
        writePidFile(child.name(), child.pid());
        child.onExit().thenAccept(process -> {
            if (!stopping.get()) {
                System.err.println("natter dev: " + child.name() + " (pid " + child.pid() + ") exited with code "
                        + process.exitValue() + "; see " + child.logFile());
            }
        });
        return child;
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the edges, then the topologies, then the components in reverse start order; safe to call twice. */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            out.println("Stopping the Natter dev stack...");
            stopInParallel(attachmentApis);
            stopInParallel(edges);
            stopInParallel(topologies);
            if (mirrorMaker != null) {
                mirrorMaker.stop(CHILD_GRACE);
            }
            // A registry still starting must finish first, so its process is stopped rather than orphaned.
            registryStart.handle((registry, failure) -> registry).join();
            for (Component component = components.pollLast(); component != null; component = components.pollLast()) {
                try {
                    component.resource().close();
                } catch (Exception e) {
                    System.err.println("natter dev: stopping " + component.name() + " failed: " + describe(e));
                }
            }
            deletePidFiles();
            out.println("Natter dev stack stopped");
        } finally {
            stopped.countDown();
        }
    }

    private void stopInParallel(List<JavaProcess> children) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (JavaProcess child : children.reversed()) {
            stops.add(CompletableFuture.runAsync(() -> child.stop(CHILD_GRACE)));
        }
        stops.forEach(CompletableFuture::join);
    }

    private void deletePidFiles() {
        for (Path file : pidFiles) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                System.err.println("natter dev: could not delete " + file + ": " + e.getMessage());
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The message of {@code failure} and of each cause, on one line. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(System.lineSeparator()).append("  caused by ").append(cause.getClass().getSimpleName())
                    .append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
