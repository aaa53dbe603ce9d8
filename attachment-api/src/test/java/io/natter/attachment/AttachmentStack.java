package io.natter.attachment;

import static org.awaitility.Awaitility.await;

import io.minio.MinioClient;
import io.natter.edge.EdgeConfig;
import io.natter.edge.EdgeServer;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.KafkaBroker;
import io.natter.infra.ObjectStoreServer;
import io.natter.infra.PostgresServer;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.RoomCommand;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
 * The real stack one IT class runs against, on 127.0.0.1 and free ports: KRaft broker, Apicurio, one in-process
 * topology (membership, attachment registration), an edge (rooms over REST, messages over WebSocket), Postgres,
 * S3Proxy, and the attachment-api servers the class starts. Each class owns its stack and closes it.
 */
final class AttachmentStack implements AutoCloseable {
    private final KafkaBroker broker;
    private final SchemaRegistryServer registry;
    private final TopologiesApp topologies;
    private final PostgresServer postgres;
    private final ObjectStoreServer objectStore;
    private final EdgeServer edge;
    private final List<AttachmentServer> servers = new ArrayList<>();
    private final HmacTokenSigner tokens;

    private AttachmentStack(KafkaBroker broker, SchemaRegistryServer registry, TopologiesApp topologies,
            PostgresServer postgres, ObjectStoreServer objectStore, EdgeServer edge) {
        this.broker = broker;
        this.registry = registry;
        this.topologies = topologies;
        this.postgres = postgres;
        this.objectStore = objectStore;
        this.edge = edge;
        EdgeConfig defaults = EdgeConfig.fromEnv(Map.of());
        this.tokens = new HmacTokenSigner(defaults.jwtSecret(), defaults.jwtIssuer(), defaults.jwtAudience(),
                Clock.systemUTC());
    }

    /** Starts everything but the attachment-api (the registry, Postgres and S3 in parallel with the broker). */
    static AttachmentStack start(Path dataDir, String name) {
        long started = System.nanoTime();
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        CompletableFuture<PostgresServer> postgresStart =
                CompletableFuture.supplyAsync(() -> PostgresServer.start(dataDir.resolve("postgres"), 0));
        ObjectStoreServer objectStore = ObjectStoreServer.start(dataDir.resolve("s3"), 0);
        KafkaBroker broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        broker.createTopics(TopicNames.ALL, 3);
        SchemaRegistryServer registry = registryStart.join();
        TopologiesApp topologies = TopologiesApp.start(TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_TOPOLOGY_APPLICATION_ID", "natter-topologies-" + name,
                "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0")));
        topologies.awaitRunning(Duration.ofSeconds(90));
        EdgeServer edge = EdgeServer.start(EdgeConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_EDGE_PORT", "0",
                "NATTER_NODE_ID", name + "-edge",
                // No Redis: presence degrades, messaging is unaffected.
                "NATTER_REDIS_URI", "redis://127.0.0.1:1",
                "NATTER_GRPC_PORT", "0",
                "NATTER_REQUEST_TIMEOUT_MS", "15000",
                "NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort())));
        await().atMost(Duration.ofSeconds(60)).until(edge::ready);
        AttachmentStack stack = new AttachmentStack(broker, registry, topologies, postgresStart.join(), objectStore, edge);
        System.out.printf("%s: broker, registry, topology, edge, Postgres and S3 up in %d ms%n", name,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return stack;
    }

    /** The environment an attachment-api needs to reach this stack, on a free port; {@code overrides} win. */
    Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_ATTACHMENT_PORT", "0",
                "NATTER_REQUEST_TIMEOUT_MS", "15000",
                "NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort(),
                "NATTER_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + PostgresServer.DATABASE,
                "NATTER_POSTGRES_USER", PostgresServer.USER,
                "NATTER_S3_ENDPOINT", objectStore.endpoint(),
                "NATTER_S3_ACCESS_KEY", objectStore.accessKey(),
                "NATTER_S3_SECRET_KEY", objectStore.secretKey()));
        env.putAll(overrides);
        return env;
    }

    /** Starts an attachment-api with {@code overrides} on {@code clock} and waits until it is ready. */
    AttachmentServer startServer(Map<String, String> overrides, Clock clock) {
        AttachmentServer server = AttachmentServer.start(AttachmentConfig.fromEnv(env(overrides)), clock);
        servers.add(server);
        await().atMost(Duration.ofSeconds(60)).until(server::ready);
        return server;
    }

    /** Creates another database in the stack's Postgres and returns its JDBC URL (for a server with its own rows). */
    String createDatabase(String name) {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + name;
    }

    /** A plain S3 client of the store, to look at objects behind the API's back. */
    MinioClient s3() {
        return MinioClient.builder().endpoint(objectStore.endpoint())
                .credentials(objectStore.accessKey(), objectStore.secretKey()).build();
    }

    EdgeServer edge() {
        return edge;
    }

    HmacTokenSigner tokens() {
        return tokens;
    }

    /** Every command of chat.message.requested.v1, from the beginning to the current end. */
    List<RoomCommand> commands() {
        Topics topics = Topics.forRegistry(registry.url());
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, RoomCommand> consumer = new KafkaConsumer<>(props,
                topics.messageRequested().keySerde().deserializer(),
                topics.messageRequested().valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TopicNames.MESSAGE_REQUESTED).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<RoomCommand> commands = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, RoomCommand> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!record.key().equals(roomOf(record.value()))) {
                        throw new AssertionError("command keyed " + record.key() + " for another room: " + record.value());
                    }
                    commands.add(record.value());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return commands;
        }
    }

    private static String roomOf(RoomCommand command) {
        return switch (command.getPayload()) {
            case io.natter.schemas.avro.RegisterAttachment p -> p.getRoomId();
            case io.natter.schemas.avro.RemoveAttachment p -> p.getRoomId();
            case io.natter.schemas.avro.CreateRoomRequested p -> p.getRoomId();
            case io.natter.schemas.avro.SendMessageRequested p -> p.getRoomId();
            case io.natter.schemas.avro.AddMemberRequested p -> p.getRoomId();
            case io.natter.schemas.avro.JoinRoomRequested p -> p.getRoomId();
            case io.natter.schemas.avro.LeaveRoomRequested p -> p.getRoomId();
            default -> throw new AssertionError("unexpected command " + command);
        };
    }

    @Override
    public void close() {
        // Each close is independent: one failing must not leave the others running.
        servers.forEach(AttachmentStack::closeQuietly);
        closeQuietly(edge);
        closeQuietly(topologies);
        closeQuietly(registry);
        closeQuietly(broker);
        closeQuietly(objectStore);
        closeQuietly(postgres);
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
}
