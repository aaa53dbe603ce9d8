package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.infra.JavaProcess;
import io.natter.infra.ModuleClasspath;
import io.natter.mirrormaker.client.RemoteTopics;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Two real regions for cross-region ITs: per region a broker, an Apicurio registry and one in-process topology
 * ({@link EdgeItStack}, NATTER_REGION + NATTER_PEER_REGIONS), MirrorMaker 2 both ways as a child JVM (its Connect
 * runtime and Jetty stay out of this JVM), and the edges a test starts. One per test class; closes everything.
 */
final class TwoRegionStack implements AutoCloseable {
    static final String US = "us";
    static final String EU = "eu";
    private static final String MM2_MAIN = "io.natter.mirrormaker.MirrorMakerApp";

    private final EdgeItStack us;
    private final EdgeItStack eu;
    private final Path dir;
    // Replaced by startMirrorMaker(); used by the test thread only.
    private JavaProcess mirrorMaker;
    private int mirrorMakerStarts = 1;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TwoRegionStack(Path dir, EdgeItStack us, EdgeItStack eu, JavaProcess mirrorMaker) {
        this.dir = dir;
        this.us = us;
        this.eu = eu;
        this.mirrorMaker = mirrorMaker;
    }

    /** Starts both regions one after the other (two registries at once starve two cores), then MirrorMaker. */
    static TwoRegionStack start(Path dir, int partitions) {
        long started = System.nanoTime();
        // The peer's mirrored topics exist before the topology subscribes to them (MirrorMaker starts later and
        // reuses them, same partition count). Both brokers run before either topology starts: each reads what its
        // peer declares of it on the peer's cluster (the fence).
        EdgeItStack.Infra usInfra = EdgeItStack.startInfra(dir.resolve(US), US, partitions, mirrored(EU));
        EdgeItStack.Infra euInfra = null;
        EdgeItStack us = null;
        EdgeItStack eu = null;
        JavaProcess mm2 = null;
        try {
            euInfra = EdgeItStack.startInfra(dir.resolve(EU), EU, partitions, mirrored(US));
            us = usInfra.startTopology(Map.of("NATTER_REGION", US, "NATTER_PEER_REGIONS", EU,
                    "NATTER_PEER_KAFKA_BOOTSTRAP", euInfra.bootstrapServers()), OpenTelemetry.noop());
            eu = euInfra.startTopology(Map.of("NATTER_REGION", EU, "NATTER_PEER_REGIONS", US,
                    "NATTER_PEER_KAFKA_BOOTSTRAP", usInfra.bootstrapServers()), OpenTelemetry.noop());
            mm2 = launchMirrorMaker(dir, "mirrormaker.log", us, eu);
            System.out.printf("two regions and MirrorMaker up in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new TwoRegionStack(dir, us, eu, mm2);
        } catch (RuntimeException | Error e) {
            if (mm2 != null) {
                mm2.close();
            }
            closeRegion(eu, euInfra);
            closeRegion(us, usInfra);
            throw e;
        }
    }

    /** Starts MirrorMaker both ways as a child JVM logging to {@code logName}; returns once it replicates. */
    private static JavaProcess launchMirrorMaker(Path dir, String logName, EdgeItStack us, EdgeItStack eu) {
        Path log = dir.resolve(logName);
        ModuleClasspath classpath = ModuleClasspath.of(Path.of("").toAbsolutePath().getParent(), "mirrormaker",
                MM2_MAIN, "build the mirrormaker module first (./mvnw -pl edge-ws -am verify does)");
        JavaProcess process = JavaProcess.start("mirrormaker", List.of(
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.natter.schemas.avro", "-cp", classpath.classpath(), MM2_MAIN),
                Map.of("NATTER_MM2_REGION_A", US,
                        "NATTER_MM2_REGION_A_KAFKA_BOOTSTRAP", us.bootstrapServers(),
                        "NATTER_MM2_REGION_A_SCHEMA_REGISTRY_URL", us.registryUrl(),
                        "NATTER_MM2_REGION_B", EU,
                        "NATTER_MM2_REGION_B_KAFKA_BOOTSTRAP", eu.bootstrapServers(),
                        "NATTER_MM2_REGION_B_SCHEMA_REGISTRY_URL", eu.registryUrl()), dir, log);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(process.isAlive()).as("MirrorMaker runs; log:%n%s", process.logTail(40)).isTrue();
                return Files.exists(log) && Files.readString(log).contains("MirrorMaker replicating");
            });
            return process;
        } catch (RuntimeException | Error e) {
            process.close();
            throw e;
        }
    }

    /** Stops MirrorMaker (both directions): nothing is replicated until {@link #startMirrorMaker()}. */
    void stopMirrorMaker() {
        mirrorMaker.close();
    }

    /**
     * As above, killing it after {@code grace} (with a cluster down it would wait out its own timeouts; what it
     * had not committed is copied again after the restart: MirrorMaker is at-least-once).
     */
    void stopMirrorMaker(Duration grace) {
        mirrorMaker.stop(grace);
    }

    /** Starts MirrorMaker again; it resumes from the offsets it committed. */
    void startMirrorMaker() {
        mirrorMaker = launchMirrorMaker(dir, "mirrormaker-" + (++mirrorMakerStarts) + ".log", us, eu);
    }

    private static void closeRegion(EdgeItStack stack, EdgeItStack.Infra infra) {
        if (stack != null) {
            stack.close();
        } else if (infra != null) {
            infra.close();
        }
    }

    private static List<String> mirrored(String source) {
        return TopicNames.ALL.stream().map(topic -> RemoteTopics.of(source, topic)).toList();
    }

    EdgeItStack region(String name) {
        return US.equals(name) ? us : eu;
    }

    static String peerOf(String region) {
        return US.equals(region) ? EU : US;
    }

    /**
     * An edge in {@code region} that also delivers the peer's mirrored topics, ACKing at {@code ackLevel}; it is ready
     * once every local and mirrored partition is assigned (MirrorMaker creates the mirrored topics).
     */
    EdgeServer startEdge(String region, String nodeId, String ackLevel) {
        return startEdge(region, nodeId, ackLevel, Map.of());
    }

    /** As above, with {@code extraEnv} on top (e.g. a shorter NATTER_REQUEST_TIMEOUT_MS). */
    EdgeServer startEdge(String region, String nodeId, String ackLevel, Map<String, String> extraEnv) {
        String peer = peerOf(region);
        Map<String, String> env = new HashMap<>(Map.of(
                "NATTER_REGION", region,
                "NATTER_PEER_REGIONS", peer,
                "NATTER_ACK_LEVEL", ackLevel,
                "NATTER_PEER_KAFKA_BOOTSTRAP", region(peer).bootstrapServers()));
        env.putAll(extraEnv);
        return region(region).startEdge(nodeId, env);
    }

    /** {@code POST <path>} on {@code region}'s topology operator API; returns the status and body. */
    HttpResponse<String> operator(String region, String path, String body) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + region(region).topologies().queryPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Declares {@code region} down (or up) on {@code on}'s topology, asserting a 2xx answer. */
    void declare(String region, String status, String on) throws Exception {
        HttpResponse<String> response = operator(on, "/internal/regions/" + region + "/" + status,
                "{\"declaredBy\":\"it\"}");
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }

    /** Every ChatMessage on {@code topic} of {@code region}'s cluster, read_committed, beginning to end. */
    List<ChatMessage> messages(String region, Topic<String, ChatMessageSent> topic) {
        EdgeItStack stack = region(region);
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, ChatMessageSent> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ChatMessage> messages = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, ChatMessageSent> record : consumer.poll(Duration.ofMillis(200))) {
                    messages.add(record.value().getPayload());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return messages;
        }
    }

    /** The typed topics of {@code region}'s registry. */
    Topics topics(String region) {
        return Topics.forRegistry(region(region).registryUrl());
    }

    @Override
    public void close() {
        // MirrorMaker first (it would retry the vanished clusters until its grace runs out), then both regions at once.
        mirrorMaker.close();
        CompletableFuture<Void> euClose = CompletableFuture.runAsync(eu::close);
        us.close();
        euClose.join();
    }
}
