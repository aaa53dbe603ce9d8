package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.EdgeConfig;
import io.natter.edge.EdgeServer;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.FreePorts;
import io.natter.infra.JavaProcess;
import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * One Natter stack for one test class: an in-process KRaft broker and an Apicurio registry, plus whatever topology
 * and edge instances the test starts, in-process or as child JVMs (so they can be killed with SIGKILL). Everything
 * is on 127.0.0.1 and free ports; {@link #close()} stops all of it, newest first.
 */
final class DeliveryStack implements AutoCloseable {
    static final int PARTITIONS = 6;
    static final String APPLICATION_ID = "natter-topologies-delivery";
    /** Short so a killed topology instance's tasks move within seconds rather than the 45 s Streams default. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String AVRO_TRUST = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.natter.schemas.avro";

    private final Path dataDir;
    private final Path logDir;
    private final KafkaBroker broker;
    private final CompletableFuture<SchemaRegistryServer> registryStart;
    private final int registryPort;
    private final Admin admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final HmacTokenSigner tokens = new HmacTokenSigner(EdgeConfig.DEV_JWT_SECRET, "natter-dev", "natter",
            Clock.systemUTC());
    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    private DeliveryStack(Path dataDir, Path logDir, KafkaBroker broker,
                          CompletableFuture<SchemaRegistryServer> registryStart, int registryPort) {
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.broker = broker;
        this.registryStart = registryStart;
        this.registryPort = registryPort;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /**
     * Starts the broker (with every Natter topic, {@value #PARTITIONS} partitions) and returns while the registry
     * is still starting on a port chosen up front: services read the registry lazily, so their JVMs start meanwhile
     * (the registry is the slowest part, ~20 s). Calls that need it wait for it ({@link #awaitRegistry()}).
     * Child services log to {@code target/delivery-logs/<testName>/}, which outlives the test for post-mortems.
     */
    static DeliveryStack start(Path dataDir, String testName) {
        Path logDir = Path.of("target", "delivery-logs", testName).toAbsolutePath();
        deleteLogs(logDir);
        int registryPort = FreePorts.pick();
        CompletableFuture<SchemaRegistryServer> registryStart = CompletableFuture.supplyAsync(
                () -> SchemaRegistryServer.start(dataDir.resolve("registry"), registryPort));
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        } catch (RuntimeException e) {
            registryStart.thenAccept(DeliveryStack::closeQuietly);
            throw e;
        }
        DeliveryStack stack = new DeliveryStack(dataDir, logDir, broker, registryStart, registryPort);
        try {
            broker.createTopics(TopicNames.ALL, PARTITIONS);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** Blocks until the schema registry answers. */
    void awaitRegistry() {
        registryStart.join();
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    /** The registry's Confluent API base URL (known before it is ready). */
    String registryUrl() {
        return "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
    }

    HttpClient http() {
        return http;
    }

    String token(String userId) {
        return tokens.sign(userId, Duration.ofMinutes(30));
    }

    // ---- topologies ------------------------------------------------------------------------------------------

    /** The environment of topology instance {@code instanceId} (its query API on {@code queryPort}). */
    Map<String, String> topologyEnv(String instanceId, int queryPort) {
        Map<String, String> env = new HashMap<>();
        env.put("NATTER_KAFKA_BOOTSTRAP", bootstrap());
        env.put("NATTER_SCHEMA_REGISTRY_URL", registryUrl());
        env.put("NATTER_TOPOLOGY_APPLICATION_ID", APPLICATION_ID);
        env.put("NATTER_TOPOLOGY_INSTANCE_ID", instanceId);
        env.put("NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString());
        env.put("NATTER_PROCESSING_GUARANTEE", "exactly_once_v2");
        env.put("NATTER_TOPOLOGY_SESSION_TIMEOUT_MS", Long.toString(SESSION_TIMEOUT.toMillis()));
        env.put("NATTER_TOPOLOGY_QUERY_HOST", "127.0.0.1");
        env.put("NATTER_TOPOLOGY_QUERY_PORT", Integer.toString(queryPort));
        return env;
    }

    /** Starts {@code TopologiesApp} in a child JVM; returns at once (see {@link #awaitReady}). */
    Service startTopologyProcess(String instanceId) {
        int queryPort = FreePorts.pick();
        return track(Service.start(instanceId, "io.natter.topologies.TopologiesApp",
                // Streams' own INFO lines (rebalances, task moves) date each step of a takeover in the log.
                List.of("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info"),
                topologyEnv(instanceId, queryPort), queryPort, dataDir, logDir));
    }

    /** {@code NATTER_TOPOLOGY_QUERY_URLS} naming the query APIs on {@code ports}, in that order. */
    static Map<String, String> queryUrls(int... ports) {
        return Map.of("NATTER_TOPOLOGY_QUERY_URLS", java.util.Arrays.stream(ports)
                .mapToObj(port -> "http://127.0.0.1:" + port).collect(java.util.stream.Collectors.joining(",")));
    }

    /** Starts {@code TopologiesApp} in this JVM; returns at once. */
    TopologiesApp startTopologyInProcess(String instanceId) {
        return startTopologyInProcess(instanceId, FreePorts.pick());
    }

    /** Starts {@code TopologiesApp} in this JVM with its query API on {@code queryPort}; returns at once. */
    TopologiesApp startTopologyInProcess(String instanceId, int queryPort) {
        return track(TopologiesApp.start(TopologiesConfig.fromEnv(topologyEnv(instanceId, queryPort))));
    }

    /**
     * Waits until the Streams group is stable with exactly {@code instanceIds} as members, each holding at least
     * one partition of the command topic: the load is spread and no rebalance is pending.
     */
    void awaitTopologyGroup(Set<String> instanceIds, Duration timeout) {
        await("topology group stable with " + instanceIds).atMost(timeout).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    Map<String, Set<Integer>> owners = commandPartitionsByInstance();
                    return owners.keySet().equals(instanceIds) && owners.values().stream().noneMatch(Set::isEmpty);
                });
    }

    /** Command-topic partitions by the topology instance id that owns them, when the group is STABLE; else empty. */
    Map<String, Set<Integer>> commandPartitionsByInstance() throws ExecutionException, InterruptedException {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(APPLICATION_ID))
                .describedGroups().get(APPLICATION_ID).get();
        if (group.groupState() != GroupState.STABLE) {
            return Map.of();
        }
        Map<String, Set<Integer>> owners = new HashMap<>();
        String prefix = APPLICATION_ID + "-";
        for (MemberDescription member : group.members()) {
            // client.id of a stream thread's consumer: <application.id>-<instance id>-StreamThread-<n>-consumer
            String clientId = member.clientId();
            String instance = clientId.substring(prefix.length(), clientId.indexOf("-StreamThread-"));
            Set<Integer> partitions = owners.computeIfAbsent(instance, i -> new TreeSet<>());
            member.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(TopicNames.MESSAGE_REQUESTED))
                    .forEach(tp -> partitions.add(tp.partition()));
        }
        return owners;
    }

    /** The partition the edge's producer writes a room's commands to (Kafka's default partitioner on the key). */
    static int partitionOf(String roomId) {
        return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** {@code count} room ids, with prefix {@code prefix}, each on a different command partition. */
    static List<String> roomsOnDistinctPartitions(String prefix, int count) {
        List<String> rooms = new ArrayList<>();
        Set<Integer> used = new TreeSet<>();
        for (int i = 0; rooms.size() < count; i++) {
            String candidate = prefix + "-" + i;
            if (used.add(partitionOf(candidate))) {
                rooms.add(candidate);
            }
        }
        return rooms;
    }

    // ---- edges -----------------------------------------------------------------------------------------------

    Map<String, String> edgeEnv(String nodeId, int port, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("NATTER_KAFKA_BOOTSTRAP", bootstrap());
        env.put("NATTER_SCHEMA_REGISTRY_URL", registryUrl());
        env.put("NATTER_EDGE_HOST", "127.0.0.1");
        env.put("NATTER_EDGE_PORT", Integer.toString(port));
        env.put("NATTER_NODE_ID", nodeId);
        // No Redis unless the test brings one (port 1 refuses: presence degrades); gRPC on a free port.
        env.put("NATTER_REDIS_URI", "redis://127.0.0.1:1");
        env.put("NATTER_GRPC_PORT", "0");
        env.putAll(extra);
        return env;
    }

    /** Starts an edge in this JVM and waits until it is ready. */
    EdgeServer startEdge(String nodeId, Map<String, String> extra) {
        EdgeServer edge = track(EdgeServer.start(EdgeConfig.fromEnv(edgeEnv(nodeId, 0, extra))));
        awaitHttpReady(nodeId, edge.port(), START_TIMEOUT);
        return edge;
    }

    /** Starts an edge in a child JVM; returns at once (see {@link #awaitReady}). */
    Service startEdgeProcess(String nodeId, Map<String, String> extra) {
        int port = FreePorts.pick();
        return track(Service.start(nodeId, "io.natter.edge.EdgeServer", List.of(), edgeEnv(nodeId, port, extra), port, dataDir, logDir));
    }

    /** One in-process topology and two edge processes on it, all ready: the set-up of the edge-failure tests. */
    record TwoEdges(TopologiesApp topologies, Service edgeA, Service edgeB) {}

    /** Starts {@link TwoEdges}; edge A gets {@code edgeAExtra} on top of the common environment (e.g. a drain bound). */
    TwoEdges startTopologyAndTwoEdges(Map<String, String> edgeAExtra) {
        TopologiesApp topologies = startTopologyInProcess("topo-0");
        Map<String, String> edgeEnv = queryUrls(topologies.queryPort());
        Map<String, String> edgeAEnv = new HashMap<>(edgeEnv);
        edgeAEnv.putAll(edgeAExtra);
        Service edgeA = startEdgeProcess("edge-a", edgeAEnv);
        Service edgeB = startEdgeProcess("edge-b", edgeEnv);
        topologies.awaitRunning(START_TIMEOUT);
        awaitReady(edgeA);
        awaitReady(edgeB);
        return new TwoEdges(topologies, edgeA, edgeB);
    }

    /** Waits until the service answers {@code GET /health/ready} with 200. */
    void awaitReady(Service service) {
        awaitHttpReady(service.name(), service.port(), START_TIMEOUT, service);
    }

    private void awaitHttpReady(String name, int port, Duration timeout) {
        awaitHttpReady(name, port, timeout, null);
    }

    private void awaitHttpReady(String name, int port, Duration timeout, Service service) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (service != null && !service.isAlive()) {
                throw new AssertionError(name + " exited; log tail:\n" + service.logTail(40));
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Creates a room through the edge's REST API and waits for the 201. */
    void createRoom(int edgePort, String owner, String roomId, String visibility, List<String> members) {
        awaitRegistry();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + edgePort + "/api/rooms"))
                            .header("Authorization", "Bearer " + token(owner))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of(
                                    "roomId", roomId, "name", "Room " + roomId, "visibility", visibility,
                                    "members", members))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("create %s: %s", roomId, response.body()).isEqualTo(201);
            JsonNode body = json.readTree(response.body());
            assertThat(body.get("roomId").asText()).isEqualTo(roomId);
        } catch (IOException e) {
            throw new AssertionError("create room " + roomId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- the record of truth ---------------------------------------------------------------------------------

    /** Every message of {@code chat.message.sent.v1}, read committed from the beginning to the end, in offset order per partition. */
    List<ChatMessage> readSentMessages() {
        awaitRegistry();
        Topics topics = Topics.forRegistry(registryUrl());
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, ChatMessageSent> consumer = new KafkaConsumer<>(props,
                topics.messageSent().keySerde().deserializer(), topics.messageSent().valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TopicNames.MESSAGE_SENT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Under read_committed, endOffsets is the last stable offset: nothing open is waited for.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ChatMessage> messages = new ArrayList<>();
            await("read " + TopicNames.MESSAGE_SENT).atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, ChatMessageSent> record : consumer.poll(Duration.ofMillis(200))) {
                    ChatMessage message = record.value().getPayload();
                    assertThat(record.key()).as("key of %s", message).isEqualTo(message.getRoomId());
                    messages.add(message);
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return messages;
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    private <T extends AutoCloseable> T track(T resource) {
        synchronized (running) {
            running.push(resource);
        }
        return resource;
    }

    /** Stops every started service (newest first), then the registry and the broker; each stop is independent. */
    @Override
    public void close() {
        synchronized (running) {
            while (!running.isEmpty()) {
                closeQuietly(running.pop());
            }
        }
        closeQuietly(admin);
        registryStart.handle((registry, failure) -> {
            closeQuietly(registry);
            return null;
        }).join();
        closeQuietly(broker);
        http.close();
    }

    /** Removes the logs of an earlier run (the launcher appends). */
    private static void deleteLogs(Path logDir) {
        try (var logs = Files.list(logDir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.delete(log);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // First run: nothing to delete.
        } catch (IOException e) {
            throw new UncheckedIOException("could not clear " + logDir, e);
        }
    }

    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("closing " + resource + " failed: " + e);
        }
    }

    /** A Natter service in a child JVM on the test's classpath, serving HTTP on {@link #port()}. */
    static final class Service implements AutoCloseable {
        private final JavaProcess process;
        private final int port;

        private Service(JavaProcess process, int port) {
            this.process = process;
            this.port = port;
        }

        static Service start(String name, String mainClass, List<String> jvmOptions, Map<String, String> env, int port,
                             Path dataDir, Path logDir) {
            List<String> arguments = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    AVRO_TRUST));
            arguments.addAll(jvmOptions);
            arguments.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
            return new Service(JavaProcess.start(name, arguments, env, dataDir, logDir.resolve(name + ".log")), port);
        }

        String name() {
            return process.name();
        }

        int port() {
            return port;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        String logTail(int lines) {
            return process.logTail(lines);
        }

        /** SIGTERM, as an orchestrator stops a process; returns at once (see {@link #onExit()}). */
        void terminate() {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        }

        /** Completes with the process when it has ended (for its exit value). */
        CompletableFuture<Process> onExit() {
            return process.onExit();
        }

        /** SIGKILL: no shutdown hook, no group leave, no transaction abort; returns once the process is gone. */
        void kill() {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
            process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }

        @Override
        public void close() {
            process.stop(Duration.ofSeconds(10));
        }

        @Override
        public String toString() {
            return process.name() + " (pid " + process.pid() + ", port " + port + ")";
        }
    }
}
