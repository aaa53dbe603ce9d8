package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.RoomCommand;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The real stack one integration test class runs against, all on 127.0.0.1 and free ports: a KRaft broker, Apicurio,
 * one in-process topology and the edges the class starts. Each class owns its own stack and closes it.
 */
final class EdgeItStack implements AutoCloseable {
    private final Path kafkaDir;
    private final int kafkaPort;
    // Null while stopped; replaced by restartBroker(). Used by the test thread only.
    private KafkaBroker broker;
    private final SchemaRegistryServer registry;
    private final TopologiesApp topologies;
    private final List<EdgeServer> edges = new ArrayList<>();
    private final HmacTokenSigner tokens;

    private EdgeItStack(Path kafkaDir, KafkaBroker broker, SchemaRegistryServer registry, TopologiesApp topologies) {
        this.kafkaDir = kafkaDir;
        this.kafkaPort = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1));
        this.broker = broker;
        this.registry = registry;
        this.topologies = topologies;
        EdgeConfig defaults = EdgeConfig.fromEnv(Map.of());
        this.tokens = new HmacTokenSigner(defaults.jwtSecret(), defaults.jwtIssuer(), defaults.jwtAudience(),
                Clock.systemUTC());
    }

    /** Starts broker and registry (in parallel), creates every topic, then a running topology with {@code topologyEnv}. */
    static EdgeItStack start(Path dataDir, String name, int partitions, Map<String, String> topologyEnv) {
        return start(dataDir, name, partitions, topologyEnv, List.of());
    }

    /** As above, also creating {@code extraTopics} (e.g. a peer region's mirrored topics) before the topology starts. */
    static EdgeItStack start(Path dataDir, String name, int partitions, Map<String, String> topologyEnv,
            List<String> extraTopics) {
        return start(dataDir, name, partitions, topologyEnv, extraTopics, OpenTelemetry.noop());
    }

    /** As above, the topology tracing with {@code topologyTelemetry}. */
    static EdgeItStack start(Path dataDir, String name, int partitions, Map<String, String> topologyEnv,
            List<String> extraTopics, OpenTelemetry topologyTelemetry) {
        return startInfra(dataDir, name, partitions, extraTopics).startTopology(topologyEnv, topologyTelemetry);
    }

    /**
     * Starts broker and registry (in parallel) and creates every topic and {@code extraTopics}; the topology comes
     * with {@link Infra#startTopology} (two regions: once both brokers run, each topology knows its peer's).
     */
    static Infra startInfra(Path dataDir, String name, int partitions, List<String> extraTopics) {
        long started = System.nanoTime();
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        KafkaBroker broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        broker.createTopics(TopicNames.ALL, partitions);
        if (!extraTopics.isEmpty()) {
            broker.createTopics(extraTopics, partitions);
        }
        return new Infra(dataDir, name, broker, registryStart.join(), started);
    }

    /** A region's broker and registry, running, without its topology yet. */
    record Infra(Path dataDir, String name, KafkaBroker broker, SchemaRegistryServer registry, long startedNanos) {
        String bootstrapServers() {
            return broker.bootstrapServers();
        }

        /** Starts the topology with {@code topologyEnv} and waits until it runs. */
        EdgeItStack startTopology(Map<String, String> topologyEnv, OpenTelemetry topologyTelemetry) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                    "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                    "NATTER_TOPOLOGY_APPLICATION_ID", "natter-topologies-" + name,
                    "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                    "NATTER_TOPOLOGY_QUERY_PORT", "0"));
            env.putAll(topologyEnv);
            TopologiesApp topologies = TopologiesApp.start(TopologiesConfig.fromEnv(env), topologyTelemetry);
            topologies.awaitRunning(Duration.ofSeconds(90));
            System.out.printf("%s: broker, registry and topology up in %d ms%n", name,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
            return new EdgeItStack(dataDir.resolve("kafka"), broker, registry, topologies);
        }

        /** Stops what runs (when the stack could not be completed). */
        void close() {
            EdgeRest.closeQuietly(registry);
            EdgeRest.closeQuietly(broker);
        }
    }

    /**
     * Starts an edge on a free port and waits until it is ready. Without Redis (port 1 refuses) presence degrades
     * and messaging is unaffected; {@code extraEnv} overrides any default.
     */
    EdgeServer startEdge(String nodeId, Map<String, String> extraEnv) {
        return startEdge(nodeId, extraEnv, OpenTelemetry.noop());
    }

    /** As above, the edge tracing with {@code openTelemetry}. */
    EdgeServer startEdge(String nodeId, Map<String, String> extraEnv, OpenTelemetry openTelemetry) {
        Map<String, String> env = new HashMap<>(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_EDGE_PORT", "0",
                "NATTER_NODE_ID", nodeId,
                "NATTER_REDIS_URI", "redis://127.0.0.1:1",
                "NATTER_GRPC_PORT", "0",
                "NATTER_REQUEST_TIMEOUT_MS", "15000",
                "NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort()));
        env.putAll(extraEnv);
        EdgeServer edge = EdgeServer.start(EdgeConfig.fromEnv(env), openTelemetry);
        edges.add(edge);
        await().atMost(Duration.ofSeconds(60)).until(edge::ready);
        return edge;
    }

    /** Stops the broker (a Kafka outage for everything in the stack); {@link #restartBroker()} brings it back. */
    void stopBroker() {
        KafkaBroker stopped = broker;
        broker = null;
        stopped.close();
    }

    /** Starts the broker again on the same data dir and port, so every client reconnects to what it knew. */
    void restartBroker() {
        broker = KafkaBroker.start(kafkaDir, kafkaPort);
    }

    /** The broker's bootstrap servers (while it runs). */
    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The in-process topology (its query and operator API port). */
    TopologiesApp topologies() {
        return topologies;
    }

    HmacTokenSigner tokens() {
        return tokens;
    }

    String registryUrl() {
        return registry.url();
    }

    /** Every message of chat.message.sent.v1, read with read_committed from the beginning to the end; keys checked. */
    List<ChatMessage> sentMessages() {
        List<ChatMessage> messages = new ArrayList<>();
        for (ConsumerRecord<String, ChatMessageSent> record : records(Topics.forRegistry(registry.url()).messageSent())) {
            ChatMessage message = record.value().getPayload();
            assertThat(record.key()).isEqualTo(message.getRoomId());
            messages.add(message);
        }
        return messages;
    }

    /** Every command of chat.message.requested.v1 (what the edges produced), from the beginning to the end. */
    List<RoomCommand> roomCommands() {
        return records(Topics.forRegistry(registry.url()).messageRequested()).stream().map(ConsumerRecord::value).toList();
    }

    /** Every record of {@code topic}, read with read_committed from the beginning to the end offsets of now. */
    <V> List<ConsumerRecord<String, V>> records(Topic<String, V> topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A caught-up partition would otherwise hold each poll for the default 500 ms.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return records;
        }
    }

    @Override
    public void close() {
        // Each close is independent: one failing must not leave the others running.
        edges.forEach(EdgeRest::closeQuietly);
        EdgeRest.closeQuietly(topologies);
        EdgeRest.closeQuietly(registry);
        EdgeRest.closeQuietly(broker);
    }
}
