package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.Envelopes;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive queries across two topologies instances on a real broker (6 partitions) and registry: every room
 * answers the same from either instance (forwarded to its owner), a user's rooms are gathered from both, and
 * once one instance closes the other answers for all rooms.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryApiIT {
    private static final int PARTITIONS = 6;
    private static final int MESSAGES_PER_ROOM = 3;
    private static final String APPLICATION_ID = "natter-topologies-query-it";
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> rooms = new ArrayList<>();
    private final Set<String> bobsRooms = new TreeSet<>();
    private KafkaBroker broker;
    private SchemaRegistryServer registry;
    private TopologiesApp first;
    private TopologiesApp second;
    private KafkaProducer<String, RoomCommand> producer;
    private Topic<String, RoomCommand> commands;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        long started = System.nanoTime();
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        broker.createTopics(TopicNames.ALL, PARTITIONS);
        registry = registryStart.join();
        first = TopologiesApp.start(config(dataDir, "topologies-a"));
        second = TopologiesApp.start(config(dataDir, "topologies-b"));
        first.awaitRunning(STARTUP);
        second.awaitRunning(STARTUP);
        // Both RUNNING after the second joined: each owns some of the six partitions.
        await().atMost(STARTUP).until(() -> owners().values().containsAll(List.of("topologies-a", "topologies-b"))
                && ready(first) && ready(second));

        commands = Topics.forRegistry(registry.url()).messageRequested();
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                commands.keySerde().serializer(), commands.valueSerde().serializer());
        System.out.printf("stack up in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @AfterAll
    void stopStack() {
        // Each close is independent: one failing must not leave the others running.
        closeQuietly(producer);
        closeQuietly(second);
        closeQuietly(first);
        closeQuietly(registry);
        closeQuietly(broker);
        http.close();
    }

    @Test
    @Order(1)
    void eitherInstanceAnswersForEveryRoomAndGathersAUsersRoomsFromBoth() throws Exception {
        long started = System.nanoTime();
        // Two rooms on each partition, so each instance owns some and must forward the others.
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (String roomId : roomsOnPartition(partition, 2)) {
                boolean withBob = rooms.size() % 2 == 0;
                send(roomId, "alice", new CreateRoomRequested(roomId, "Room " + roomId,
                        withBob ? RoomVisibility.PRIVATE : RoomVisibility.PUBLIC, withBob ? List.of("bob") : List.of()));
                for (int i = 1; i <= MESSAGES_PER_ROOM; i++) {
                    send(roomId, "alice", new SendMessageRequested(roomId, roomId + "-" + i, "c-" + i, List.of()));
                }
                rooms.add(roomId);
                if (withBob) {
                    bobsRooms.add(roomId);
                }
            }
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> rooms.stream().allMatch(roomId ->
                get(first, "/internal/rooms/" + roomId).status == 200
                        && get(first, "/internal/rooms/" + roomId).body.get("lastSeq").asLong() == MESSAGES_PER_ROOM));

        Map<Integer, String> owners = owners();
        Set<String> owning = new TreeSet<>();
        for (String roomId : rooms) {
            owning.add(owners.get(partitionOf(roomId)));
            Response fromFirst = get(first, "/internal/rooms/" + roomId);
            Response fromSecond = get(second, "/internal/rooms/" + roomId);
            assertThat(fromFirst.status).isEqualTo(200);
            assertThat(fromSecond).isEqualTo(fromFirst);
            assertThat(fromFirst.body.get("oldestSeq").asLong()).isEqualTo(1);
            assertThat(fromFirst.body.get("messageCount").asLong()).isEqualTo(MESSAGES_PER_ROOM);

            Response page = get(first, "/internal/rooms/" + roomId + "/messages?afterSeq=0&limit=10");
            assertThat(page.status).isEqualTo(200);
            assertThat(get(second, "/internal/rooms/" + roomId + "/messages?afterSeq=0&limit=10")).isEqualTo(page);
            assertThat(page.body.get("messages")).extracting(m -> m.get("content").asText())
                    .containsExactly(roomId + "-1", roomId + "-2", roomId + "-3");
            assertThat(page.body.get("hasMore").asBoolean()).isFalse();
        }
        assertThat(owning).as("rooms are owned by both instances").containsExactly("topologies-a", "topologies-b");

        Response bobFromFirst = get(first, "/internal/users/bob/rooms");
        assertThat(bobFromFirst.status).isEqualTo(200);
        assertThat(bobFromFirst.body).extracting(room -> room.get("roomId").asText())
                .containsExactlyElementsOf(bobsRooms);
        assertThat(get(second, "/internal/users/bob/rooms")).isEqualTo(bobFromFirst);
        assertThat(bobsRooms.stream().map(roomId -> owners.get(partitionOf(roomId))).distinct())
                .as("bob's rooms live on both instances").hasSize(2);

        Response missing = get(second, "/internal/rooms/no-such-room");
        assertThat(missing.status).isEqualTo(404);
        assertThat(missing.body.get("code").asText()).isEqualTo("ROOM_NOT_FOUND");
        Response invalid = get(first, "/internal/rooms/" + rooms.getFirst() + "/messages?afterSeq=1&beforeSeq=2");
        assertThat(invalid.status).isEqualTo(400);
        assertThat(json.treeToValue(invalid.body, Map.class))
                .isEqualTo(Map.of("code", "INVALID_REQUEST", "message", "give afterSeq or beforeSeq, not both"));
        Response unknownPath = get(first, "/internal/nothing-here");
        assertThat(unknownPath.status).isEqualTo(404);
        assertThat(unknownPath.body.get("code").asText()).isEqualTo("NOT_FOUND");
        System.out.printf("%d rooms queried through both instances in %d ms%n", rooms.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Test
    @Order(2)
    void servesPrometheusMetricsWithKafkaStreamsAndJvmMeters() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.queryPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        // Kafka Streams' own metrics (client, threads; tasks join at the binder's next refresh) and the JVM's.
        assertThat(response.body()).contains("kafka_stream_client_state", "kafka_stream_thread_process_total",
                "kafka_consumer_", "kafka_producer_", "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                "system_cpu_count").doesNotContain("room_id");
    }

    @Test
    @Order(3)
    void theRemainingInstanceAnswersForAllRoomsOnceTheOtherCloses() throws Exception {
        Map<String, Response> before = new HashMap<>();
        rooms.forEach(roomId -> before.put(roomId, get(first, "/internal/rooms/" + roomId)));
        Response bobBefore = get(first, "/internal/users/bob/rooms");
        assertThat(before).hasSize(PARTITIONS * 2);
        long started = System.nanoTime();

        second.close();

        await().atMost(Duration.ofSeconds(90)).until(() -> rooms.stream().allMatch(roomId ->
                get(first, "/internal/rooms/" + roomId).status == 200));
        rooms.forEach(roomId -> assertThat(get(first, "/internal/rooms/" + roomId)).isEqualTo(before.get(roomId)));
        await().atMost(Duration.ofSeconds(30)).until(() -> get(first, "/internal/users/bob/rooms").status == 200);
        assertThat(get(first, "/internal/users/bob/rooms")).isEqualTo(bobBefore);
        assertThat(owners().values()).containsOnly("topologies-a");
        System.out.printf("all rooms answered by the remaining instance %d ms after close%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private TopologiesConfig config(Path dataDir, String instanceId) {
        return TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_TOPOLOGY_APPLICATION_ID", APPLICATION_ID,
                "NATTER_TOPOLOGY_INSTANCE_ID", instanceId,
                "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0"));
    }

    /** Room ids that the default partitioner puts on {@code partition}, as the edge's producer does. */
    private static List<String> roomsOnPartition(int partition, int count) {
        List<String> found = new ArrayList<>();
        while (found.size() < count) {
            String roomId = "room-" + UUID.randomUUID().toString().substring(0, 8);
            if (partitionOf(roomId) == partition) {
                found.add(roomId);
            }
        }
        return found;
    }

    private static int partitionOf(String roomId) {
        return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** Instance id owning each partition of the command topic, from the consumer group's assignment. */
    private Map<Integer, String> owners() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<Integer, String> owners = new TreeMap<>();
            for (MemberDescription member : admin.describeConsumerGroups(List.of(APPLICATION_ID)).all()
                    .get(10, TimeUnit.SECONDS).get(APPLICATION_ID).members()) {
                String instance = member.clientId().contains("topologies-a") ? "topologies-a" : "topologies-b";
                for (TopicPartition tp : member.assignment().topicPartitions()) {
                    if (tp.topic().equals(TopicNames.MESSAGE_REQUESTED)) {
                        owners.put(tp.partition(), instance);
                    }
                }
            }
            return owners;
        }
    }

    private void send(String roomId, String actor, Object payload) {
        String commandId = UUID.randomUUID().toString();
        producer.send(new ProducerRecord<>(commands.name(), roomId, new RoomCommand("chat.message.requested.v1",
                commandId, Instant.now(), "us", Envelopes.SCHEMA_VERSION, commandId, actor,
                new Origin("query-it", null), payload)));
    }

    private boolean ready(TopologiesApp app) {
        return get(app, "/health/ready").status == 200;
    }

    /** Status and parsed JSON body; a connection failure counts as status 0. */
    private record Response(int status, JsonNode body) {}

    private Response get(TopologiesApp app, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.queryPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), json.readTree(response.body()));
        } catch (java.io.IOException e) {
            return new Response(0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("close failed: " + e);
        }
    }
}
