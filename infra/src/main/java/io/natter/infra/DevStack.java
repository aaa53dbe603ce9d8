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
 */
public final class DevStack implements AutoCloseable {
    private static final Duration EDGE_READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CHILD_GRACE = Duration.ofSeconds(15);
    private static final String DEV_USER = "demo";

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
        Optional<ModuleClasspath> attachmentClasspath = config.edges() > 0
                ? Optional.of(services.attachmentClasspath()) : Optional.empty();

        prepareDataDir();
        DevStackPorts ports = DevStackPorts.choose(config.edges(), config.topologies(), FreePorts::isFree);
        if (ports.postgres() != DevStackPorts.POSTGRES) {
            out.println("Port " + DevStackPorts.POSTGRES + " is taken, so Postgres listens on " + ports.postgres());
        }

        // The registry is a separate JVM that needs nothing else, so its ~4 s start overlaps the others'.
        registryStart = CompletableFuture.supplyAsync(() -> {
            SchemaRegistryServer registry = SchemaRegistryServer.start(layout.registry(), ports.registry());
            components.add(new Component("schema registry", registry));
            writePidFile("schema-registry", registry.pid());
            return registry;
        });
        KafkaBroker kafka = add("Kafka", KafkaBroker.start(layout.kafka(), ports.kafka()));
        kafka.createTopics(TopicNames.ALL, config.partitions());
        RedisServer redis = add("Redis", RedisServer.start(layout.redis(), ports.redis()));
        PostgresServer postgres = add("Postgres", PostgresServer.start(layout.postgres(), ports.postgres()));
        ObjectStoreServer objectStore = add("S3 store", ObjectStoreServer.start(layout.objectStore(),
                ports.objectStore()));
        SchemaRegistryServer registry = join(registryStart);

        NatterServices.Endpoints endpoints = new NatterServices.Endpoints(kafka.bootstrapServers(), registry.url(),
                redis.uri(), ports.topologyQueries().stream().map(port -> "http://127.0.0.1:" + port).toList());
        topologiesClasspath.ifPresent(classpath -> {
            for (int n = 1; n <= config.topologies(); n++) {
                topologies.add(watch(services.startTopologies(classpath, n, ports.topologyQueries().get(n - 1),
                        endpoints)));
            }
        });
        edgeClasspath.ifPresent(classpath -> {
            for (int n = 1; n <= config.edges(); n++) {
                edges.add(watch(services.startEdge(classpath, n, ports.edges().get(n - 1), ports.edgeGrpc().get(n - 1),
                        endpoints)));
            }
        });
        attachmentClasspath.ifPresent(classpath -> attachmentApis.add(watch(services.startAttachmentApi(classpath,
                ports.attachmentApi(), endpoints, postgres, objectStore))));
        for (int i = 0; i < edges.size(); i++) {
            services.awaitReady(edges.get(i), ports.edges().get(i), EDGE_READY_TIMEOUT);
        }
        for (JavaProcess attachmentApi : attachmentApis) {
            services.awaitReady(attachmentApi, ports.attachmentApi(), EDGE_READY_TIMEOUT);
        }
        Optional<String> token = edgeClasspath.map(classpath -> services.devToken(classpath, DEV_USER));

        printEndpoints(ports, kafka, registry, redis, postgres, objectStore, token);
        out.printf(Locale.ROOT, "Natter dev stack ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
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

    private void printEndpoints(DevStackPorts ports, KafkaBroker kafka, SchemaRegistryServer registry, RedisServer redis,
            PostgresServer postgres, ObjectStoreServer objectStore, Optional<String> token) {
        String relativeRoot = repoRoot.relativize(layout.root()).toString();
        out.println();
        for (int i = 0; i < edges.size(); i++) {
            int port = ports.edges().get(i);
            line(edges.get(i).name() + " WebSocket", "ws://127.0.0.1:" + port + "/ws");
            line(edges.get(i).name() + " REST", "http://127.0.0.1:" + port + "  (metrics: /metrics)");
            line(edges.get(i).name() + " gRPC", "127.0.0.1:" + ports.edgeGrpc().get(i) + "  (internal PresenceService)");
        }
        for (JavaProcess attachmentApi : attachmentApis) {
            line(attachmentApi.name(), "http://127.0.0.1:" + ports.attachmentApi() + "  (REST; OpenAPI: /openapi.yaml; "
                    + "bucket natter-attachments)");
        }
        for (int i = 0; i < topologies.size(); i++) {
            line(topologies.get(i).name(), "pid " + topologies.get(i).pid() + ", query API http://127.0.0.1:"
                    + ports.topologyQueries().get(i));
        }
        line("Schema registry", registry.url());
        line("Kafka", kafka.bootstrapServers() + "  (" + TopicNames.ALL.size() + " topics)");
        line("Postgres", postgres.jdbcUrl());
        line("Redis", redis.uri());
        line("S3", objectStore.endpoint() + "  (access key " + objectStore.accessKey() + ", secret key "
                + objectStore.secretKey() + ")");
        line("Data", relativeRoot + "/   logs: " + relativeRoot + "/logs/");
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
