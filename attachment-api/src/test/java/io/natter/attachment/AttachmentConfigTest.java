package io.natter.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.edge.ConfigKey;
import io.natter.edge.EdgeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttachmentConfigTest {
    /** How the README writes defaults computed at start-up, or absent. */
    private static final Map<String, String> GENERATED_DEFAULTS = Map.of(
            "NATTER_NODE_ID", "attachment-<random>",
            "NATTER_JWT_JWKS_URL", "(unset)",
            "NATTER_POSTGRES_PASSWORD", "(unset)",
            "NATTER_S3_PUBLIC_ENDPOINT", "NATTER_S3_ENDPOINT");

    @Test
    void usesDocumentedDefaultsForAnEmptyEnvironment() {
        AttachmentConfig config = AttachmentConfig.fromEnv(Map.of());
        assertThat(config.nodeId()).matches("attachment-[0-9a-f]{8}");
        assertThat(config).isEqualTo(new AttachmentConfig("127.0.0.1:9092", "http://127.0.0.1:8081/apis/ccompat/v7",
                "us", "127.0.0.1", 8082, config.nodeId(),
                new AttachmentConfig.Jwt(EdgeConfig.DEV_JWT_SECRET, "natter-dev", "natter", null, List.of("RS256", "ES256")),
                Duration.ofSeconds(5), List.of(URI.create("http://127.0.0.1:8090")),
                new AttachmentConfig.Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null, 10),
                new AttachmentConfig.ObjectStore(URI.create("http://127.0.0.1:9000"), URI.create("http://127.0.0.1:9000"),
                        "us-east-1", "natter-dev", "natter-dev-secret-key", "natter-attachments", true),
                new AttachmentConfig.Limits(25L * 1024 * 1024, Set.of("image/png", "image/jpeg", "image/gif", "image/webp",
                        "application/pdf", "text/plain"), Duration.ofMinutes(15), Duration.ofMinutes(5)),
                new AttachmentConfig.Sweep(Duration.ofMinutes(1), Duration.ofMinutes(5))));
    }

    @Test
    void readsEveryKey() {
        AttachmentConfig config = AttachmentConfig.fromEnv(Map.ofEntries(
                Map.entry("NATTER_KAFKA_BOOTSTRAP", "k:1"),
                Map.entry("NATTER_SCHEMA_REGISTRY_URL", "http://r/apis/ccompat/v7"),
                Map.entry("NATTER_REGION", "eu"),
                Map.entry("NATTER_ATTACHMENT_HOST", "0.0.0.0"),
                Map.entry("NATTER_ATTACHMENT_PORT", "0"),
                Map.entry("NATTER_NODE_ID", "attachment-a"),
                Map.entry("NATTER_JWT_SECRET", "s".repeat(32)),
                Map.entry("NATTER_JWT_ISSUER", "iss"),
                Map.entry("NATTER_JWT_AUDIENCE", "aud"),
                Map.entry("NATTER_JWT_JWKS_URL", "https://idp.example/jwks.json"),
                Map.entry("NATTER_JWT_ALGORITHMS", "ES256"),
                Map.entry("NATTER_REQUEST_TIMEOUT_MS", "750"),
                Map.entry("NATTER_TOPOLOGY_QUERY_URLS", "http://t1:8090/,http://t2:8091"),
                Map.entry("NATTER_POSTGRES_URL", "jdbc:postgresql://db:5433/natter"),
                Map.entry("NATTER_POSTGRES_USER", "natter"),
                Map.entry("NATTER_POSTGRES_PASSWORD", "pw"),
                Map.entry("NATTER_POSTGRES_POOL_SIZE", "3"),
                Map.entry("NATTER_S3_ENDPOINT", "http://minio:9000/"),
                Map.entry("NATTER_S3_PUBLIC_ENDPOINT", "https://files.example"),
                Map.entry("NATTER_S3_REGION", "eu-west-1"),
                Map.entry("NATTER_S3_ACCESS_KEY", "ak"),
                Map.entry("NATTER_S3_SECRET_KEY", "sk"),
                Map.entry("NATTER_S3_BUCKET", "b"),
                Map.entry("NATTER_S3_CREATE_BUCKET", "false"),
                Map.entry("NATTER_ATTACHMENT_MAX_BYTES", "1000"),
                Map.entry("NATTER_ATTACHMENT_ALLOWED_TYPES", " Image/PNG , text/csv,"),
                Map.entry("NATTER_ATTACHMENT_UPLOAD_URL_TTL_MS", "60000"),
                Map.entry("NATTER_ATTACHMENT_DOWNLOAD_URL_TTL_MS", "2000"),
                Map.entry("NATTER_ATTACHMENT_SWEEP_INTERVAL_MS", "100"),
                Map.entry("NATTER_ATTACHMENT_SWEEP_GRACE_MS", "0")));
        assertThat(config).isEqualTo(new AttachmentConfig("k:1", "http://r/apis/ccompat/v7", "eu", "0.0.0.0", 0,
                "attachment-a",
                new AttachmentConfig.Jwt("s".repeat(32), "iss", "aud", URI.create("https://idp.example/jwks.json"),
                        List.of("ES256")),
                Duration.ofMillis(750), List.of(URI.create("http://t1:8090"), URI.create("http://t2:8091")),
                new AttachmentConfig.Postgres("jdbc:postgresql://db:5433/natter", "natter", "pw", 3),
                new AttachmentConfig.ObjectStore(URI.create("http://minio:9000"), URI.create("https://files.example"),
                        "eu-west-1", "ak", "sk", "b", false),
                new AttachmentConfig.Limits(1000, Set.of("image/png", "text/csv"), Duration.ofMinutes(1),
                        Duration.ofSeconds(2)),
                new AttachmentConfig.Sweep(Duration.ofMillis(100), Duration.ZERO)));
    }

    @Test
    void sharesTheEdgesTokenKeysWithTheirDefaults() {
        for (ConfigKey edgeKey : List.of(EdgeConfig.JWT_SECRET, EdgeConfig.JWT_ISSUER,
                EdgeConfig.JWT_AUDIENCE, EdgeConfig.JWT_JWKS_URL, EdgeConfig.JWT_ALGORITHMS, EdgeConfig.TOPOLOGY_QUERY_URLS)) {
            assertThat(AttachmentConfig.KEYS).contains(edgeKey);
        }
        assertThat(AttachmentConfig.KEYS.stream().map(ConfigKey::name)).doesNotHaveDuplicates();
    }

    @Test
    void refusesInvalidValuesNamingTheKey() {
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_ATTACHMENT_PORT", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NATTER_ATTACHMENT_PORT must be an integer, got 'x'");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_ATTACHMENT_ALLOWED_TYPES", "png")))
                .hasMessage("NATTER_ATTACHMENT_ALLOWED_TYPES needs type/subtype media types, got 'png'");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_ATTACHMENT_ALLOWED_TYPES", " , ")))
                .hasMessage("NATTER_ATTACHMENT_ALLOWED_TYPES needs at least one media type");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_ATTACHMENT_UPLOAD_URL_TTL_MS", "700000000")))
                .hasMessage("NATTER_ATTACHMENT_UPLOAD_URL_TTL_MS must be between 1000 and 604800000, got 700000000");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_POSTGRES_URL", "jdbc:mysql://x/db")))
                .hasMessage("NATTER_POSTGRES_URL needs a jdbc:postgresql: URL, got 'jdbc:mysql://x/db'");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_S3_ENDPOINT", "s3.example")))
                .hasMessage("NATTER_S3_ENDPOINT needs http(s)://host[:port] URLs, got 's3.example'");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_S3_CREATE_BUCKET", "yes")))
                .hasMessage("NATTER_S3_CREATE_BUCKET must be true or false, got 'yes'");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_JWT_SECRET", "short")))
                .hasMessage("NATTER_JWT_SECRET must be at least 32 bytes");
        assertThatThrownBy(() -> AttachmentConfig.fromEnv(Map.of("NATTER_JWT_ALGORITHMS", "HS256")))
                .hasMessageStartingWith("NATTER_JWT_ALGORITHMS allows only");
    }

    @Test
    void neverPrintsSecrets() {
        String printed = AttachmentConfig.fromEnv(Map.of("NATTER_POSTGRES_PASSWORD", "hunter2")).toString();
        assertThat(printed).doesNotContain(EdgeConfig.DEV_JWT_SECRET).doesNotContain("hunter2")
                .doesNotContain("natter-dev-secret-key").contains("password=***");
    }

    @Test
    void readmeDocumentsEveryKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("### Attachment API (`io.natter.attachment.AttachmentServer`)");
        assertThat(start).as("README section of the attachment-api configuration").isNotNegative();
        int end = readme.indexOf("\n### ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        for (ConfigKey key : AttachmentConfig.KEYS) {
            String expectedDefault = key.defaultValue() != null ? key.defaultValue() : GENERATED_DEFAULTS.get(key.name());
            assertThat(section).as(key.name()).contains("| `" + key.name() + "` | `" + expectedDefault + "` |");
        }
        assertThat(section.lines().filter(line -> line.startsWith("| `NATTER_"))).hasSameSizeAs(AttachmentConfig.KEYS);
    }
}
