package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.Envelopes;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * The us topologies in multi-region mode (peer eu) on one real broker and registry, with eu's mirrored topics
 * written directly as MirrorMaker 2 would: start-up creates the mirrored and region-status topics, the replica
 * follows eu's room, and the operator API declares eu down, which fails the room over on the next local command
 * (seq continued, a replicated retry deduplicated), then moves it back with a planned re-home.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossRegionIT {
    private static final int PARTITIONS = 3;
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ROOM = "r-eu";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private KafkaBroker broker;
    private SchemaRegistryServer registry;
    private TopologiesApp us;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        // Only the local topics: the topologies create eu.chat.* and chat.region.status.v1 themselves.
        broker.createTopics(TopicNames.ALL, PARTITIONS);
        registry = registryStart.join();
        us = TopologiesApp.start(TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_REGION", "us",
                "NATTER_PEER_REGIONS", "eu",
                "NATTER_TOPOLOGY_APPLICATION_ID", "natter-topologies-cross-region-it",
                "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0")));
        us.awaitRunning(STARTUP);
        topics = Topics.forRegistry(registry.url());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    void stopStack() {
        closeQuietly(producer);
        closeQuietly(us);
        closeQuietly(registry);
        closeQuietly(broker);
        http.close();
    }

    @Test
    @Order(1)
    void createsTheMirroredTopicsAndACompactedRegionStatusTopicAtStartUp() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<String> mirrored = TopicNames.ALL.stream().map(topic -> "eu." + topic).toList();
            Map<String, TopicDescription> described = admin.describeTopics(mirrored).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            assertThat(described.values()).extracting(d -> d.partitions().size()).containsOnly(PARTITIONS);
            ConfigResource status = new ConfigResource(ConfigResource.Type.TOPIC, TopicNames.REGION_STATUS);
            assertThat(admin.describeConfigs(List.of(status)).all().get(10, TimeUnit.SECONDS).get(status)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        Response regions = call("GET", "/internal/regions", null);
        assertThat(regions.status).isEqualTo(200);
        assertThat(regions.body).extracting(r -> r.get("region").asText(), r -> r.get("local").asBoolean(),
                r -> r.get("status").asText()).containsExactly(tuple("us", true, "UP"), tuple("eu", false, "UP"));
    }

    @Test
    @Order(2)
    void followsARoomHomedInTheOtherRegionFromItsMirroredEvents() {
        write(topics.roomMembership().mirroredFrom("eu"), ROOM, new RoomMembershipEvent("chat.room.created.v1",
                UUID.randomUUID().toString(), Instant.now(), "eu", Envelopes.SCHEMA_VERSION, "c-create",
                new RoomCreated(ROOM, "Europe", RoomVisibility.PUBLIC, "alice", List.of("alice", "bob"), "eu")));
        for (long seq = 1; seq <= 2; seq++) {
            write(topics.messageSent().mirroredFrom("eu"), ROOM, new ChatMessageSent("chat.message.sent.v1",
                    UUID.randomUUID().toString(), Instant.now(), "eu", Envelopes.SCHEMA_VERSION,
                    new ChatMessage("m" + seq, ROOM, "alice", "eu-" + seq, Instant.now(), seq, "a-" + seq, List.of(), 0)));
        }

        await().atMost(WAIT).until(() -> room().status == 200 && room().body.get("lastSeq").asLong() == 2);
        JsonNode room = room().body;
        assertThat(room.get("homeRegion").asText()).isEqualTo("eu");
        assertThat(room.get("epoch").asInt()).isZero();
        Response page = call("GET", "/internal/rooms/" + ROOM + "/messages?afterSeq=0&limit=10", null);
        assertThat(page.body.get("messages")).extracting(m -> m.get("content").asText()).containsExactly("eu-1", "eu-2");
    }

    @Test
    @Order(3)
    void declaringTheHomeDownFailsTheRoomOverOnTheNextLocalCommand() {
        assertThat(call("POST", "/internal/regions/us/down", "{}").status).isEqualTo(409);
        assertThat(call("POST", "/internal/regions/ap/down", "{}").status).isEqualTo(400);

        Response down = call("POST", "/internal/regions/eu/down", "{\"declaredBy\":\"it\",\"reason\":\"drill\"}");
        assertThat(down.status).isEqualTo(200);
        assertThat(down.body.get("status").asText()).isEqualTo("DOWN");
        assertThat(call("GET", "/internal/regions", null).body.get(1).get("status").asText()).isEqualTo("DOWN");

        command("c-retry", "alice", new SendMessageRequested(ROOM, "eu-1", "a-1", List.of()));
        command("c-new", "bob", new SendMessageRequested(ROOM, "us-3", "b-3", List.of()));

        List<Object> outputs = readUntil(3, TopicNames.ROOM_MEMBERSHIP, TopicNames.MESSAGE_REJECTED, TopicNames.MESSAGE_SENT);
        assertThat(outputs).hasSize(3);
        assertThat(outputs).filteredOn(RoomMembershipEvent.class::isInstance)
                .extracting(e -> ((RoomMembershipEvent) e).getPayload()).containsExactly(new RoomRehomed(ROOM, "us", 1, 3L, "eu"));
        assertThat(outputs).filteredOn(CommandRejected.class::isInstance)
                .extracting(r -> ((CommandRejected) r).getPayload().getCode(), r -> ((CommandRejected) r).getPayload().getSeq())
                .containsExactly(tuple("DUPLICATE", 1L));
        assertThat(outputs).filteredOn(ChatMessageSent.class::isInstance)
                .extracting(s -> ((ChatMessageSent) s).getPayload().getSeq(), s -> ((ChatMessageSent) s).getPayload().getEpoch())
                .containsExactly(tuple(3L, 1));
        await().atMost(WAIT).until(() -> room().body.get("lastSeq").asLong() == 3);
        assertThat(room().body.get("homeRegion").asText()).isEqualTo("us");
    }

    @Test
    @Order(4)
    void aPlannedReHomeMovesTheRoomBackUnderTheNextEpoch() {
        assertThat(call("POST", "/internal/rooms/" + ROOM + "/rehome", "{\"toRegion\":\"ap\"}").status).isEqualTo(400);

        Response accepted = call("POST", "/internal/rooms/" + ROOM + "/rehome", "{\"toRegion\":\"eu\"}");
        assertThat(accepted.status).isEqualTo(202);
        assertThat(accepted.body.get("toRegion").asText()).isEqualTo("eu");

        await().atMost(WAIT).until(() -> "eu".equals(room().body.get("homeRegion").asText()));
        JsonNode room = room().body;
        assertThat(room.get("epoch").asInt()).isEqualTo(2);
        assertThat(room.get("epochFromSeq").asLong()).isEqualTo(4);
        assertThat(call("POST", "/internal/regions/eu/up", "").body.get("status").asText()).isEqualTo("UP");
    }

    // --- helpers ---

    private <V> void write(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, bytes)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void command(String commandId, String actor, Object payload) {
        write(topics.messageRequested(), ROOM, new RoomCommand("chat.message.requested.v1", commandId, Instant.now(),
                "us", Envelopes.SCHEMA_VERSION, commandId, actor, new Origin("cross-region-it", null), payload));
    }

    /** Values of the given local topics, read committed from the start, once {@code count} have arrived. */
    private List<Object> readUntil(int count, String... topicNames) {
        Map<String, Topic<String, ?>> byName = Map.of(TopicNames.ROOM_MEMBERSHIP, topics.roomMembership(),
                TopicNames.MESSAGE_REJECTED, topics.messageRejected(), TopicNames.MESSAGE_SENT, topics.messageSent());
        List<Object> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String name : topicNames) {
                for (int p = 0; p < PARTITIONS; p++) {
                    partitions.add(new TopicPartition(name, p));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(
                        byName.get(record.topic()).valueSerde().deserializer().deserialize(record.topic(), record.value())));
                return values.size() >= count;
            });
            // Anything else already committed would show in one more poll.
            consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
        }
        return values;
    }

    private Response room() {
        return call("GET", "/internal/rooms/" + ROOM, null);
    }

    /** Status and parsed JSON body; a connection failure counts as status 0. */
    private record Response(int status, JsonNode body) {}

    private Response call(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + us.queryPort() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
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
