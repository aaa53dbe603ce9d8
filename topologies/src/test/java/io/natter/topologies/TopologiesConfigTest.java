package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.junit.jupiter.api.Test;

class TopologiesConfigTest {

    @Test
    void usesDocumentedDefaultsForAnEmptyEnvironment() {
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.of());

        assertThat(config).isEqualTo(new TopologiesConfig("127.0.0.1:9092", "http://127.0.0.1:8081/apis/ccompat/v7",
                "us", "natter-topologies", "topologies-0", Path.of("/tmp/natter-topologies"),
                TopologiesConfig.ProcessingGuarantee.EXACTLY_ONCE_V2, Duration.ofMillis(15), 1, 0, 2,
                Duration.ofSeconds(10), Retention.DEFAULT, "127.0.0.1", 8090));
        assertThat(Retention.DEFAULT).isEqualTo(new Retention(Duration.ofMillis(86_400_000), 1000,
                Duration.ofMillis(604_800_000)));
        assertThat(config.instanceStateDir()).isEqualTo(Path.of("/tmp/natter-topologies/topologies-0"));
    }

    @Test
    void parsesEveryKey() {
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.ofEntries(
                Map.entry("NATTER_KAFKA_BOOTSTRAP", "k1:9092,k2:9092"),
                Map.entry("NATTER_SCHEMA_REGISTRY_URL", "http://registry:8080/apis/ccompat/v7"),
                Map.entry("NATTER_REGION", "eu"),
                Map.entry("NATTER_TOPOLOGY_APPLICATION_ID", "natter-eu"),
                Map.entry("NATTER_TOPOLOGY_INSTANCE_ID", "t2"),
                Map.entry("NATTER_TOPOLOGY_STATE_DIR", "/var/lib/natter"),
                Map.entry("NATTER_PROCESSING_GUARANTEE", "AT_LEAST_ONCE"),
                Map.entry("NATTER_COMMIT_INTERVAL_MS", "100"),
                Map.entry("NATTER_TOPOLOGY_REPLICATION_FACTOR", "3"),
                Map.entry("NATTER_TOPOLOGY_STANDBY_REPLICAS", "1"),
                Map.entry("NATTER_TOPOLOGY_STREAM_THREADS", " 4 "),
                Map.entry("NATTER_TOPOLOGY_SESSION_TIMEOUT_MS", "6000"),
                Map.entry("NATTER_DEDUPE_WINDOW_MS", "0"),
                Map.entry("NATTER_HISTORY_MAX_MESSAGES", "200"),
                Map.entry("NATTER_HISTORY_MAX_AGE_MS", "2592000000"),
                Map.entry("NATTER_TOPOLOGY_QUERY_HOST", "10.0.0.7"),
                Map.entry("NATTER_TOPOLOGY_QUERY_PORT", "0")));

        assertThat(config).isEqualTo(new TopologiesConfig("k1:9092,k2:9092", "http://registry:8080/apis/ccompat/v7",
                "eu", "natter-eu", "t2", Path.of("/var/lib/natter"), TopologiesConfig.ProcessingGuarantee.AT_LEAST_ONCE,
                Duration.ofMillis(100), 3, 1, 4, Duration.ofMillis(6000),
                new Retention(Duration.ZERO, 200, Duration.ofDays(30)), "10.0.0.7", 0));
    }

    @Test
    void treatsBlankValuesAsUnset() {
        assertThat(TopologiesConfig.fromEnv(Map.of("NATTER_REGION", "  ", "NATTER_COMMIT_INTERVAL_MS", "")))
                .isEqualTo(TopologiesConfig.fromEnv(Map.of()));
    }

    @Test
    void refusesValuesItCannotUse() {
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_COMMIT_INTERVAL_MS", "soon")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_COMMIT_INTERVAL_MS must be an integer, got 'soon'");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_TOPOLOGY_REPLICATION_FACTOR", "0")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_TOPOLOGY_REPLICATION_FACTOR must be at least 1, got 0");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_PROCESSING_GUARANTEE", "exactly_once")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PROCESSING_GUARANTEE must be exactly_once_v2 or at_least_once, got 'exactly_once'");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_HISTORY_MAX_MESSAGES", "0")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_HISTORY_MAX_MESSAGES must be at least 1, got 0");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_DEDUPE_WINDOW_MS", "-1")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_DEDUPE_WINDOW_MS must be at least 0, got -1");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_TOPOLOGY_QUERY_PORT", "70000")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_TOPOLOGY_QUERY_PORT must be at most 65535, got 70000");
    }

    @Test
    void tunesStreamsForLowLatencyExactlyOnce() {
        Map<String, Object> streams = TopologiesConfig.fromEnv(Map.of()).streamsConfig();

        assertThat(streams).containsOnly(
                Map.entry("application.id", "natter-topologies"),
                Map.entry("client.id", "natter-topologies-topologies-0"),
                Map.entry("bootstrap.servers", "127.0.0.1:9092"),
                Map.entry("state.dir", "/tmp/natter-topologies/topologies-0"),
                Map.entry("processing.guarantee", "exactly_once_v2"),
                Map.entry("commit.interval.ms", 15L),
                Map.entry("replication.factor", 1),
                Map.entry("num.standby.replicas", 0),
                Map.entry("num.stream.threads", 2),
                Map.entry("application.server", "127.0.0.1:8090"),
                Map.entry("consumer.session.timeout.ms", 10000),
                Map.entry("statestore.cache.max.bytes", 0L),
                Map.entry("poll.ms", 10L),
                Map.entry("rocksdb.config.setter", ReceiptStoreBloomFilter.class),
                Map.entry("producer.linger.ms", 15),
                Map.entry("producer.retry.backoff.ms", 5L),
                Map.entry("producer.retry.backoff.max.ms", 100L),
                Map.entry("consumer.fetch.max.wait.ms", 10),
                Map.entry("main.consumer.fetch.min.bytes", 16384),
                Map.entry("main.consumer.fetch.max.wait.ms", 5),
                Map.entry("deserialization.exception.handler", CommandDeserializationHandler.class),
                Map.entry("processing.exception.handler", LogAndContinueProcessingExceptionHandler.class),
                Map.entry("processing.exception.handler.global.enabled", true),
                Map.entry("production.exception.handler", DefaultProductionExceptionHandler.class));
        // Kafka accepts every entry as it is.
        assertThat(new StreamsConfig(streams).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo("exactly_once_v2");
    }

    @Test
    void sendsAtOnceWhenAtLeastOnceSinceRecordsAreVisibleBeforeTheCommit() {
        Map<String, Object> streams = TopologiesConfig.fromEnv(Map.of("NATTER_PROCESSING_GUARANTEE", "at_least_once",
                "NATTER_COMMIT_INTERVAL_MS", "50")).streamsConfig();

        assertThat(streams).containsEntry("producer.linger.ms", 0).containsEntry("commit.interval.ms", 50L)
                .containsEntry("consumer.fetch.max.wait.ms", 10).doesNotContainKey("main.consumer.fetch.min.bytes")
                .doesNotContainKey("main.consumer.fetch.max.wait.ms");
        assertThat(TopologiesConfig.fromEnv(Map.of("NATTER_COMMIT_INTERVAL_MS", "50")).streamsConfig())
                .containsEntry("producer.linger.ms", 50);
    }

    @Test
    void advertisesTheBoundQueryPort() {
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.of("NATTER_TOPOLOGY_QUERY_PORT", "0")).withQueryPort(41234);

        assertThat(config.queryPort()).isEqualTo(41234);
        assertThat(config.streamsConfig()).containsEntry("application.server", "127.0.0.1:41234");
    }

    @Test
    void readsPeerRegionsAsMultiRegionMode() {
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.of("NATTER_REGION", "us", "NATTER_PEER_REGIONS", " eu , ap,"));

        assertThat(config.peerRegions()).containsExactly("eu", "ap");
        assertThat(config.regions()).isEqualTo(new Regions("us", List.of("eu", "ap")));
        assertThat(config.regions().multiRegion()).isTrue();
        assertThat(config.regions().all()).containsExactly("us", "eu", "ap");
        assertThat(TopologiesConfig.fromEnv(Map.of()).regions()).isEqualTo(Regions.single("us"));
        assertThat(TopologiesConfig.fromEnv(Map.of()).regions().multiRegion()).isFalse();
        assertThat(config.withQueryPort(1).peerRegions()).containsExactly("eu", "ap");
    }

    @Test
    void refusesPeerRegionsThatAreNotOtherRegionsOnce() {
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_REGION", "us", "NATTER_PEER_REGIONS", "eu,us")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PEER_REGIONS must list other regions once each, got 'eu,us' in region us");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_PEER_REGIONS", "eu,eu")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PEER_REGIONS must list other regions once each, got 'eu,eu' in region us");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_PEER_REGIONS", "e.u")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PEER_REGIONS entries must match [a-z0-9][a-z0-9_-]*, got 'e.u'");
    }

    @Test
    void readsThePeerClusterWhoseRegionStatusFencesThisRegion() {
        TopologiesConfig config = TopologiesConfig.fromEnv(Map.of("NATTER_REGION", "us", "NATTER_PEER_REGIONS", "eu",
                "NATTER_PEER_KAFKA_BOOTSTRAP", " eu-kafka:9092 ", "NATTER_PEER_STATUS_CATCH_UP_MS", "2500"));

        assertThat(config.peerKafkaBootstrap()).isEqualTo("eu-kafka:9092");
        assertThat(config.peerStatusCatchUp()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.withQueryPort(1).peerKafkaBootstrap()).isEqualTo("eu-kafka:9092");
        assertThat(TopologiesConfig.fromEnv(Map.of()).peerKafkaBootstrap()).isEmpty();
        assertThat(TopologiesConfig.fromEnv(Map.of()).peerStatusCatchUp()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesAPeerClusterWithoutExactlyOnePeerRegion() {
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_PEER_KAFKA_BOOTSTRAP", "eu-kafka:9092")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PEER_KAFKA_BOOTSTRAP needs exactly one region in NATTER_PEER_REGIONS, got []");
        assertThatThrownBy(() -> TopologiesConfig.fromEnv(Map.of("NATTER_PEER_REGIONS", "eu,ap",
                "NATTER_PEER_KAFKA_BOOTSTRAP", "eu-kafka:9092")))
                .isInstanceOf(TopologiesConfigException.class)
                .hasMessage("NATTER_PEER_KAFKA_BOOTSTRAP needs exactly one region in NATTER_PEER_REGIONS, got [eu, ap]");
    }

    @Test
    void namesTheMirroredTopicsOfEveryPeer() {
        Regions regions = new Regions("us", List.of("eu", "ap"));
        var topic = new Topics(new InMemorySchemaRegistry(), true).messageRequested();

        assertThat(regions.localAndMirrored(topic)).containsExactly("chat.message.requested.v1",
                "eu.chat.message.requested.v1", "ap.chat.message.requested.v1");
        assertThat(regions.knows("ap")).isTrue();
        assertThat(regions.knows("sa")).isFalse();
        assertThat(RegionTopics.required(regions, 6, (short) 1)).extracting(NewTopic::name, NewTopic::numPartitions)
                .startsWith(tuple("chat.region.status.v1", 1), tuple("eu.chat.room.membership.v1", 6))
                .hasSize(1 + 2 * TopicNames.ALL.size());
        assertThatThrownBy(() -> new Regions("us", List.of("us"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readmeDocumentsEveryKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));

        assertThat(TopologiesConfig.KEYS).allSatisfy(key ->
                assertThat(readme).contains("| `" + key.name() + "` | `" + key.defaultValue() + "` |"));
    }
}
