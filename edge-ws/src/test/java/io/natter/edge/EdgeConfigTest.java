package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.edge.presence.PresenceConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {
    /** How the README writes the defaults computed at start-up, or absent. */
    private static final Map<String, String> GENERATED_DEFAULTS = Map.of(
            "NATTER_NODE_ID", "edge-<random>",
            "NATTER_JWT_JWKS_URL", "(unset)",
            "NATTER_PRESENCE_REFRESH_MS", "TTL / 3");

    @Test
    void usesDocumentedDefaultsForAnEmptyEnvironment() {
        EdgeConfig config = EdgeConfig.fromEnv(Map.of());
        assertThat(config.nodeId()).matches("edge-[0-9a-f]{8}");
        assertThat(config).isEqualTo(new EdgeConfig("127.0.0.1:9092", "http://127.0.0.1:8081/apis/ccompat/v7", "us",
                "127.0.0.1", 8080, config.nodeId(), EdgeConfig.DEV_JWT_SECRET, "natter-dev", "natter",
                Duration.ofMillis(5000), 65536, 4096, Duration.ofMinutes(5), List.of(URI.create("http://127.0.0.1:8090")),
                new PresenceConfig("redis://127.0.0.1:6379", Duration.ofSeconds(90), Duration.ofSeconds(30),
                        Duration.ofSeconds(1), "127.0.0.1", 9090),
                new EdgeConfig.Tokens(null, List.of("RS256", "ES256"), Duration.ofMinutes(1)),
                new EdgeConfig.Backpressure(20, 40, 1000, 1_048_576, 1000, Duration.ofMinutes(1)),
                new EdgeConfig.Admission(50_000, 16, 50, 100, Duration.ofSeconds(10)),
                EdgeConfig.Regions.single(), 1));
    }

    @Test
    void readsEveryKey() {
        EdgeConfig config = EdgeConfig.fromEnv(Map.ofEntries(
                Map.entry("NATTER_KAFKA_BOOTSTRAP", "k:1"),
                Map.entry("NATTER_SCHEMA_REGISTRY_URL", "http://r/apis/ccompat/v7"),
                Map.entry("NATTER_REGION", "eu"),
                Map.entry("NATTER_EDGE_HOST", "0.0.0.0"),
                Map.entry("NATTER_EDGE_PORT", "0"),
                Map.entry("NATTER_NODE_ID", "edge-a"),
                Map.entry("NATTER_JWT_SECRET", "s".repeat(32)),
                Map.entry("NATTER_JWT_ISSUER", "iss"),
                Map.entry("NATTER_JWT_AUDIENCE", "aud"),
                Map.entry("NATTER_REQUEST_TIMEOUT_MS", "750"),
                Map.entry("NATTER_MAX_FRAME_BYTES", "1024"),
                Map.entry("NATTER_MAX_CONTENT_BYTES", "100"),
                Map.entry("NATTER_WS_IDLE_TIMEOUT_MS", "2000"),
                Map.entry("NATTER_TOPOLOGY_QUERY_URLS", "http://t1:8090/, https://t2:9000 ,"),
                Map.entry("NATTER_REDIS_URI", "redis://r:6380"),
                Map.entry("NATTER_PRESENCE_TTL_MS", "6000"),
                Map.entry("NATTER_PRESENCE_REFRESH_MS", "1500"),
                Map.entry("NATTER_PRESENCE_OFFLINE_GRACE_MS", "200"),
                Map.entry("NATTER_GRPC_HOST", "10.0.0.1"),
                Map.entry("NATTER_GRPC_PORT", "9190"),
                Map.entry("NATTER_JWT_JWKS_URL", "https://idp.example/.well-known/jwks.json"),
                Map.entry("NATTER_JWT_ALGORITHMS", "ES256, PS256"),
                Map.entry("NATTER_TOKEN_REVALIDATE_MS", "1500"),
                Map.entry("NATTER_RATE_LIMIT_PER_SECOND", "5"),
                Map.entry("NATTER_RATE_LIMIT_BURST", "7"),
                Map.entry("NATTER_OUTBOUND_MAX_FRAMES", "50"),
                Map.entry("NATTER_OUTBOUND_MAX_BYTES", "65536"),
                Map.entry("NATTER_OUTAGE_BUFFER_MAX_COMMANDS", "5"),
                Map.entry("NATTER_OUTAGE_MAX_WAIT_MS", "3000"),
                Map.entry("NATTER_MAX_CONNECTIONS", "300"),
                Map.entry("NATTER_MAX_CONNECTIONS_PER_USER", "3"),
                Map.entry("NATTER_HANDSHAKE_RATE_PER_SECOND", "4"),
                Map.entry("NATTER_HANDSHAKE_BURST", "9"),
                Map.entry("NATTER_SHUTDOWN_DRAIN_MS", "2500"),
                Map.entry("NATTER_FANOUT_THREADS", "3"),
                Map.entry("NATTER_PEER_REGIONS", "us"),
                Map.entry("NATTER_ACK_LEVEL", "replicated"),
                Map.entry("NATTER_PEER_KAFKA_BOOTSTRAP", "pk:1")));
        assertThat(config).isEqualTo(new EdgeConfig("k:1", "http://r/apis/ccompat/v7", "eu", "0.0.0.0", 0, "edge-a",
                "s".repeat(32), "iss", "aud", Duration.ofMillis(750), 1024, 100, Duration.ofSeconds(2),
                List.of(URI.create("http://t1:8090"), URI.create("https://t2:9000")),
                new PresenceConfig("redis://r:6380", Duration.ofSeconds(6), Duration.ofMillis(1500),
                        Duration.ofMillis(200), "10.0.0.1", 9190),
                new EdgeConfig.Tokens(URI.create("https://idp.example/.well-known/jwks.json"), List.of("ES256", "PS256"),
                        Duration.ofMillis(1500)),
                new EdgeConfig.Backpressure(5, 7, 50, 65_536, 5, Duration.ofSeconds(3)),
                new EdgeConfig.Admission(300, 3, 4, 9, Duration.ofMillis(2500)),
                new EdgeConfig.Regions(List.of("us"), EdgeConfig.AckLevel.REPLICATED, "pk:1"), 3));
    }

    @Test
    void blankValuesMeanDefault() {
        assertThat(EdgeConfig.fromEnv(Map.of("NATTER_EDGE_PORT", " ")).port()).isEqualTo(8080);
    }

    @Test
    void refusesInvalidValuesNamingTheKey() {
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_EDGE_PORT", "http")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("NATTER_EDGE_PORT must be an integer, got 'http'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_EDGE_PORT", "70000")))
                .hasMessage("NATTER_EDGE_PORT must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_REQUEST_TIMEOUT_MS", "0")))
                .hasMessageStartingWith("NATTER_REQUEST_TIMEOUT_MS must be between 1");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_JWT_SECRET", "short")))
                .hasMessage("NATTER_JWT_SECRET must be at least 32 bytes");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_TOPOLOGY_QUERY_URLS", "ftp://t1")))
                .hasMessage("NATTER_TOPOLOGY_QUERY_URLS needs http(s)://host[:port] URLs, got 'ftp://t1'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_JWT_ALGORITHMS", "RS256,HS256")))
                .hasMessage("NATTER_JWT_ALGORITHMS allows only [ES256, ES384, ES512, PS256, PS384, PS512, RS256, RS384, "
                        + "RS512], got 'HS256'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_JWT_JWKS_URL", "file:///etc/keys")))
                .hasMessage("NATTER_JWT_JWKS_URL needs http(s)://host[:port] URLs, got 'file:///etc/keys'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_TOPOLOGY_QUERY_URLS", ",")))
                .hasMessage("NATTER_TOPOLOGY_QUERY_URLS needs at least one URL");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_OUTAGE_BUFFER_MAX_COMMANDS", "-1")))
                .hasMessage("NATTER_OUTAGE_BUFFER_MAX_COMMANDS must be between 0 and 1000000, got -1");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_MAX_CONNECTIONS_PER_USER", "0")))
                .hasMessageStartingWith("NATTER_MAX_CONNECTIONS_PER_USER must be between 1");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_SHUTDOWN_DRAIN_MS", "-1")))
                .hasMessage("NATTER_SHUTDOWN_DRAIN_MS must be between 0 and 600000, got -1");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_PEER_REGIONS", "us")))
                .hasMessage("NATTER_PEER_REGIONS needs region names [a-z0-9-]+ other than NATTER_REGION, got 'us'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_ACK_LEVEL", "quorum")))
                .hasMessage("NATTER_ACK_LEVEL must be local or replicated, got 'quorum'");
        assertThatThrownBy(() -> EdgeConfig.fromEnv(Map.of("NATTER_ACK_LEVEL", "replicated", "NATTER_PEER_REGIONS", "eu")))
                .hasMessage("NATTER_ACK_LEVEL=replicated needs exactly one region in NATTER_PEER_REGIONS and "
                        + "NATTER_PEER_KAFKA_BOOTSTRAP");
    }

    @Test
    void neverPrintsTheSecret() {
        assertThat(EdgeConfig.fromEnv(Map.of()).toString()).doesNotContain(EdgeConfig.DEV_JWT_SECRET);
        assertThat(EdgeConfig.fromEnv(Map.of("NATTER_REDIS_URI", "redis://:hunter2@r:6379")).toString())
                .doesNotContain("hunter2").contains("redis://***@r:6379");
    }

    @Test
    void keysIncludeEveryPresenceKeyOnce() {
        assertThat(EdgeConfig.KEYS).containsSubsequence(PresenceConfig.KEYS).doesNotHaveDuplicates();
        assertThat(EdgeConfig.KEYS.subList(EdgeConfig.KEYS.size() - PresenceConfig.KEYS.size(), EdgeConfig.KEYS.size()))
                .isEqualTo(PresenceConfig.KEYS);
    }

    @Test
    void readmeDocumentsEveryKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        for (ConfigKey key : EdgeConfig.KEYS) {
            String expectedDefault = key.defaultValue() != null ? key.defaultValue()
                    : GENERATED_DEFAULTS.get(key.name());
            assertThat(readme).as(key.name()).contains("| `" + key.name() + "` | `" + expectedDefault + "` |");
        }
    }
}
