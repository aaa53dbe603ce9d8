package io.natter.attachment;

import io.natter.edge.ConfigKey;
import io.natter.edge.EdgeConfig;
import io.natter.edge.auth.JwtAuthenticator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Typed configuration of one attachment-api process, parsed from environment variables by {@link #fromEnv}.
 * Every key is declared once in {@link #KEYS} with its default (the JWT keys are the edge's own declarations);
 * the README's table is checked against it.
 */
public record AttachmentConfig(
        String kafkaBootstrap,
        String schemaRegistryUrl,
        String region,
        String host,
        int port,
        String nodeId,
        Jwt jwt,
        Duration requestTimeout,
        List<URI> topologyQueryUrls,
        Postgres postgres,
        ObjectStore objectStore,
        Limits limits,
        Sweep sweep) {

    /** Token verification, exactly as the edge does it: HS256 with {@code secret}, or JWKS when {@code jwksUrl} is set. */
    public record Jwt(String secret, String issuer, String audience, URI jwksUrl, List<String> jwksAlgorithms) {
        public Jwt {
            jwksAlgorithms = List.copyOf(jwksAlgorithms);
        }

        /** The verifier these settings describe. */
        public JwtAuthenticator authenticator() {
            return jwksUrl != null
                    ? JwtAuthenticator.jwks(jwksUrl, jwksAlgorithms, issuer, audience)
                    : JwtAuthenticator.hs256(secret, issuer, audience);
        }

        @Override
        public String toString() {
            // The secret never reaches logs.
            return "Jwt[issuer=" + issuer + ", audience=" + audience + ", jwksUrl=" + jwksUrl
                    + ", jwksAlgorithms=" + jwksAlgorithms + "]";
        }
    }

    /** Where the metadata lives. */
    public record Postgres(String jdbcUrl, String user, String password, int poolSize) {
        @Override
        public String toString() {
            return "Postgres[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "(unset)" : "***")
                    + ", poolSize=" + poolSize + "]";
        }
    }

    /**
     * The S3-compatible store: {@code endpoint} is what this service talks to, {@code publicEndpoint} the host clients
     * reach in presigned URLs (the same unless a proxy or container network sits between).
     */
    public record ObjectStore(URI endpoint, URI publicEndpoint, String region, String accessKey, String secretKey,
            String bucket, boolean createBucket) {
        @Override
        public String toString() {
            return "ObjectStore[endpoint=" + endpoint + ", publicEndpoint=" + publicEndpoint + ", region=" + region
                    + ", accessKey=" + accessKey + ", bucket=" + bucket + ", createBucket=" + createBucket + "]";
        }
    }

    /** What an upload may be, and how long presigned URLs live. */
    public record Limits(long maxBytes, Set<String> allowedTypes, Duration uploadUrlTtl, Duration downloadUrlTtl) {
        public Limits {
            allowedTypes = Set.copyOf(allowedTypes);
        }
    }

    /** The orphan sweep: how often it runs, and how long past its URL's expiry a pending upload is left alone. */
    public record Sweep(Duration interval, Duration grace) {}

    /** S3 refuses presigned URLs valid for longer than 7 days. */
    private static final long MAX_PRESIGN_MS = Duration.ofDays(7).toMillis();
    private static final int MIN_SECRET_BYTES = 32;
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");

    public static final ConfigKey KAFKA_BOOTSTRAP = new ConfigKey("NATTER_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
            "Kafka bootstrap servers (the RegisterAttachment/RemoveAttachment commands go to the room's command topic).");
    public static final ConfigKey SCHEMA_REGISTRY_URL = new ConfigKey("NATTER_SCHEMA_REGISTRY_URL",
            "http://127.0.0.1:8081/apis/ccompat/v7", "Base URL of a Confluent-API schema registry.");
    public static final ConfigKey REGION = new ConfigKey("NATTER_REGION", "us",
            "Region stamped on the commands this service writes.");
    public static final ConfigKey HOST = new ConfigKey("NATTER_ATTACHMENT_HOST", "127.0.0.1",
            "Interface the HTTP server binds.");
    public static final ConfigKey PORT = new ConfigKey("NATTER_ATTACHMENT_PORT", "8082",
            "HTTP port; 0 picks a free port.");
    public static final ConfigKey NODE_ID = new ConfigKey("NATTER_NODE_ID", null,
            "Id of this instance in command origins; default attachment-<random 8 hex>.");
    public static final ConfigKey REQUEST_TIMEOUT_MS = new ConfigKey("NATTER_REQUEST_TIMEOUT_MS", "5000",
            "How long a request waits for the topology query API (membership) or for Kafka to take a command.");
    public static final ConfigKey POSTGRES_URL = new ConfigKey("NATTER_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/postgres", "JDBC URL of the metadata database (Flyway migrates it at start).");
    public static final ConfigKey POSTGRES_USER = new ConfigKey("NATTER_POSTGRES_USER", "postgres",
            "Database user.");
    public static final ConfigKey POSTGRES_PASSWORD = new ConfigKey("NATTER_POSTGRES_PASSWORD", null,
            "Database password; unset for trust authentication (the dev stack).");
    public static final ConfigKey POSTGRES_POOL_SIZE = new ConfigKey("NATTER_POSTGRES_POOL_SIZE", "10",
            "Largest number of pooled database connections.");
    public static final ConfigKey S3_ENDPOINT = new ConfigKey("NATTER_S3_ENDPOINT", "http://127.0.0.1:9000",
            "S3-compatible endpoint (MinIO, S3, S3Proxy), path-style addressing.");
    public static final ConfigKey S3_PUBLIC_ENDPOINT = new ConfigKey("NATTER_S3_PUBLIC_ENDPOINT", null,
            "Endpoint written into presigned URLs, when clients reach the store at another address; default NATTER_S3_ENDPOINT.");
    public static final ConfigKey S3_REGION = new ConfigKey("NATTER_S3_REGION", "us-east-1",
            "Region URLs are signed for.");
    public static final ConfigKey S3_ACCESS_KEY = new ConfigKey("NATTER_S3_ACCESS_KEY", "natter-dev",
            "Access key. The default is the dev stack's.");
    public static final ConfigKey S3_SECRET_KEY = new ConfigKey("NATTER_S3_SECRET_KEY", "natter-dev-secret-key",
            "Secret key. The default is the dev stack's, for development only.");
    public static final ConfigKey S3_BUCKET = new ConfigKey("NATTER_S3_BUCKET", "natter-attachments",
            "Bucket holding the objects, keyed rooms/<roomId>/<attachmentId>.");
    public static final ConfigKey S3_CREATE_BUCKET = new ConfigKey("NATTER_S3_CREATE_BUCKET", "true",
            "Create the bucket at start when it is missing; false when the credentials may not.");
    public static final ConfigKey MAX_BYTES = new ConfigKey("NATTER_ATTACHMENT_MAX_BYTES", "26214400",
            "Largest attachment (bytes; 25 MiB), checked when the upload is requested and against the stored object.");
    public static final ConfigKey ALLOWED_TYPES = new ConfigKey("NATTER_ATTACHMENT_ALLOWED_TYPES",
            "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain",
            "Comma-separated media types accepted, checked when requested and against the stored object's bytes.");
    public static final ConfigKey UPLOAD_URL_TTL_MS = new ConfigKey("NATTER_ATTACHMENT_UPLOAD_URL_TTL_MS", "900000",
            "Life of a presigned PUT URL (15 min).");
    public static final ConfigKey DOWNLOAD_URL_TTL_MS = new ConfigKey("NATTER_ATTACHMENT_DOWNLOAD_URL_TTL_MS", "300000",
            "Life of a presigned GET URL (5 min).");
    public static final ConfigKey SWEEP_INTERVAL_MS = new ConfigKey("NATTER_ATTACHMENT_SWEEP_INTERVAL_MS", "60000",
            "How often uploads never completed are looked for.");
    public static final ConfigKey SWEEP_GRACE_MS = new ConfigKey("NATTER_ATTACHMENT_SWEEP_GRACE_MS", "300000",
            "A pending upload is deleted (object and row) once its PUT URL expired this long ago (5 min).");

    private static final ConfigKey JWT_SECRET = EdgeConfig.JWT_SECRET;
    private static final ConfigKey JWT_ISSUER = EdgeConfig.JWT_ISSUER;
    private static final ConfigKey JWT_AUDIENCE = EdgeConfig.JWT_AUDIENCE;
    private static final ConfigKey JWT_JWKS_URL = EdgeConfig.JWT_JWKS_URL;
    private static final ConfigKey JWT_ALGORITHMS = EdgeConfig.JWT_ALGORITHMS;
    private static final ConfigKey TOPOLOGY_QUERY_URLS = EdgeConfig.TOPOLOGY_QUERY_URLS;

    /** Every key the attachment-api reads, in README order. */
    public static final List<ConfigKey> KEYS = List.of(KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, REGION, HOST, PORT,
            NODE_ID, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL, JWT_ALGORITHMS, REQUEST_TIMEOUT_MS,
            TOPOLOGY_QUERY_URLS, POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_POOL_SIZE, S3_ENDPOINT,
            S3_PUBLIC_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_CREATE_BUCKET, MAX_BYTES,
            ALLOWED_TYPES, UPLOAD_URL_TTL_MS, DOWNLOAD_URL_TTL_MS, SWEEP_INTERVAL_MS, SWEEP_GRACE_MS);

    /** Parses {@code env}; throws {@link IllegalArgumentException} naming the key of any invalid value. */
    public static AttachmentConfig fromEnv(Map<String, String> env) {
        String nodeId = NODE_ID.read(env);
        URI s3Endpoint = S3_ENDPOINT.httpUrls(env).getFirst();
        return new AttachmentConfig(
                KAFKA_BOOTSTRAP.read(env),
                SCHEMA_REGISTRY_URL.read(env),
                REGION.read(env),
                HOST.read(env),
                (int) PORT.longIn(env, 0, 65_535),
                nodeId != null ? nodeId : "attachment-" + UUID.randomUUID().toString().substring(0, 8),
                jwt(env),
                Duration.ofMillis(REQUEST_TIMEOUT_MS.longIn(env, 1, Integer.MAX_VALUE)),
                TOPOLOGY_QUERY_URLS.httpUrls(env),
                new Postgres(jdbcUrl(env), POSTGRES_USER.read(env), POSTGRES_PASSWORD.read(env),
                        (int) POSTGRES_POOL_SIZE.longIn(env, 1, 1_000)),
                new ObjectStore(s3Endpoint,
                        S3_PUBLIC_ENDPOINT.read(env) == null ? s3Endpoint : S3_PUBLIC_ENDPOINT.httpUrls(env).getFirst(),
                        S3_REGION.read(env), S3_ACCESS_KEY.read(env), S3_SECRET_KEY.read(env), S3_BUCKET.read(env),
                        bool(env, S3_CREATE_BUCKET)),
                new Limits(MAX_BYTES.longIn(env, 1, Long.MAX_VALUE), mediaTypes(env, ALLOWED_TYPES),
                        Duration.ofMillis(UPLOAD_URL_TTL_MS.longIn(env, 1_000, MAX_PRESIGN_MS)),
                        Duration.ofMillis(DOWNLOAD_URL_TTL_MS.longIn(env, 1_000, MAX_PRESIGN_MS))),
                new Sweep(Duration.ofMillis(SWEEP_INTERVAL_MS.longIn(env, 10, Integer.MAX_VALUE)),
                        Duration.ofMillis(SWEEP_GRACE_MS.longIn(env, 0, Integer.MAX_VALUE))));
    }

    private static Jwt jwt(Map<String, String> env) {
        String secret = JWT_SECRET.read(env);
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(JWT_SECRET.name() + " must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        URI jwksUrl = JWT_JWKS_URL.read(env) == null ? null : JWT_JWKS_URL.httpUrls(env).getFirst();
        List<String> algorithms = Stream.of(JWT_ALGORITHMS.read(env).split(","))
                .map(String::trim).filter(a -> !a.isEmpty()).toList();
        for (String algorithm : algorithms) {
            if (!JwtAuthenticator.JWKS_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException(JWT_ALGORITHMS.name() + " allows only "
                        + JwtAuthenticator.JWKS_ALGORITHMS.stream().sorted().toList() + ", got '" + algorithm + "'");
            }
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException(JWT_ALGORITHMS.name() + " needs at least one algorithm");
        }
        return new Jwt(secret, JWT_ISSUER.read(env), JWT_AUDIENCE.read(env), jwksUrl, algorithms);
    }

    private static String jdbcUrl(Map<String, String> env) {
        String url = POSTGRES_URL.read(env);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(POSTGRES_URL.name() + " needs a jdbc:postgresql: URL, got '" + url + "'");
        }
        return url;
    }

    private static Set<String> mediaTypes(Map<String, String> env, ConfigKey key) {
        Set<String> types = new LinkedHashSet<>();
        for (String part : key.read(env).split(",")) {
            String type = part.trim().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                continue;
            }
            if (!MEDIA_TYPE.matcher(type).matches()) {
                throw new IllegalArgumentException(key.name() + " needs type/subtype media types, got '" + part.trim() + "'");
            }
            types.add(type);
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(key.name() + " needs at least one media type");
        }
        return types;
    }

    private static boolean bool(Map<String, String> env, ConfigKey key) {
        String raw = key.read(env).toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key.name() + " must be true or false, got '" + raw + "'");
        };
    }
}
