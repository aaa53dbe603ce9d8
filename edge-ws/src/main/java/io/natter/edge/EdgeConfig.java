package io.natter.edge;

import io.natter.edge.auth.JwtAuthenticator;
import io.natter.edge.presence.PresenceConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Typed configuration of one edge process, parsed from environment variables by {@link #fromEnv}.
 * Every key is declared once in {@link #KEYS} with its default; the README's table is checked against it.
 */
public record EdgeConfig(
        String kafkaBootstrap,
        String schemaRegistryUrl,
        String region,
        String host,
        int port,
        String nodeId,
        String jwtSecret,
        String jwtIssuer,
        String jwtAudience,
        Duration requestTimeout,
        int maxFrameBytes,
        int maxContentBytes,
        Duration wsIdleTimeout,
        List<URI> topologyQueryUrls,
        PresenceConfig presence,
        Tokens tokens,
        Backpressure backpressure,
        Admission admission,
        Regions regions,
        int fanoutThreads) {

    /**
     * Token settings beyond HS256: {@code jwksUrl} (null = HS256 with the secret) with the {@code jwksAlgorithms} it may
     * sign with, and how often open sockets' token expiries are checked.
     */
    public record Tokens(URI jwksUrl, List<String> jwksAlgorithms, Duration revalidateInterval) {
        public Tokens {
            jwksAlgorithms = List.copyOf(jwksAlgorithms);
        }
    }

    /**
     * Inbound rate limit per user, outbound bound per connection, and the buffer of room writes held through a Kafka
     * outage (how many, and how long each may wait).
     */
    public record Backpressure(int ratePerSecond, int rateBurst, int outboundMaxFrames, long outboundMaxBytes,
            int outageBufferMaxCommands, Duration outageMaxWait) {}

    /**
     * Who may open a socket (caps per user and per node, handshakes per second and burst per remote address), and
     * how long a shutdown waits for the verdicts of commands already taken.
     */
    public record Admission(int maxConnections, int maxConnectionsPerUser, int handshakeRatePerSecond,
            int handshakeBurst, Duration shutdownDrain) {}

    /** When a send is ACKed: once the home region sequenced it, or once it is also on the peer region's cluster. */
    public enum AckLevel { LOCAL, REPLICATED }

    /**
     * Cross-region settings: the {@code peers} whose mirrored topics ({@code <peer>.chat.*}) this edge also delivers,
     * the ack level, and the peer cluster the {@code replicated} level watches (null unless replicated).
     */
    public record Regions(List<String> peers, AckLevel ackLevel, String peerKafkaBootstrap) {
        public Regions {
            peers = List.copyOf(peers);
        }

        /** One region, local acks: the single-region behaviour. */
        public static Regions single() {
            return new Regions(List.of(), AckLevel.LOCAL, null);
        }
    }

    /** Shared dev secret: anyone can mint tokens with it, so production must set its own. */
    public static final String DEV_JWT_SECRET = "natter-dev-secret-change-me-0123456789abcdef";

    public static final ConfigKey KAFKA_BOOTSTRAP = new ConfigKey("NATTER_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
            "Kafka bootstrap servers.");
    public static final ConfigKey SCHEMA_REGISTRY_URL = new ConfigKey("NATTER_SCHEMA_REGISTRY_URL",
            "http://127.0.0.1:8081/apis/ccompat/v7", "Base URL of a Confluent-API schema registry.");
    public static final ConfigKey REGION = new ConfigKey("NATTER_REGION", "us",
            "Region stamped on the events this edge writes.");
    public static final ConfigKey EDGE_HOST = new ConfigKey("NATTER_EDGE_HOST", "127.0.0.1",
            "Interface the HTTP/WebSocket server binds.");
    public static final ConfigKey EDGE_PORT = new ConfigKey("NATTER_EDGE_PORT", "8080",
            "HTTP/WebSocket port; 0 picks a free port.");
    public static final ConfigKey NODE_ID = new ConfigKey("NATTER_NODE_ID", null,
            "Id of this edge in command origins; default edge-<random 8 hex>.");
    public static final ConfigKey JWT_SECRET = new ConfigKey("NATTER_JWT_SECRET", DEV_JWT_SECRET,
            "HS256 secret (at least 32 bytes). The default is for development only.");
    public static final ConfigKey JWT_ISSUER = new ConfigKey("NATTER_JWT_ISSUER", "natter-dev",
            "Required `iss` claim.");
    public static final ConfigKey JWT_AUDIENCE = new ConfigKey("NATTER_JWT_AUDIENCE", "natter",
            "Required `aud` claim.");
    public static final ConfigKey REQUEST_TIMEOUT_MS = new ConfigKey("NATTER_REQUEST_TIMEOUT_MS", "5000",
            "How long a room request waits for the topology's verdict.");
    public static final ConfigKey MAX_FRAME_BYTES = new ConfigKey("NATTER_MAX_FRAME_BYTES", "65536",
            "Largest WebSocket message in bytes (text or binary, fragments together); larger closes the socket with 1009.");
    public static final ConfigKey MAX_CONTENT_BYTES = new ConfigKey("NATTER_MAX_CONTENT_BYTES", "4096",
            "Largest message content (UTF-8 bytes); larger is refused with CONTENT_TOO_LARGE.");
    public static final ConfigKey WS_IDLE_TIMEOUT_MS = new ConfigKey("NATTER_WS_IDLE_TIMEOUT_MS", "300000",
            "A WebSocket with no traffic for this long is closed; clients send PING to stay open.");

    public static final ConfigKey TOPOLOGY_QUERY_URLS = new ConfigKey("NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:8090",
            "Comma-separated base URLs of topology instances' query API (room state, history); tried in order, "
                    + "retried on 503 or connection failure within the request timeout.");

    public static final ConfigKey JWT_JWKS_URL = new ConfigKey("NATTER_JWT_JWKS_URL", null,
            "When set, tokens are verified with RS/ES keys from this JWK set URL (cached, refreshed) and HS256 is refused.");
    public static final ConfigKey JWT_ALGORITHMS = new ConfigKey("NATTER_JWT_ALGORITHMS", "RS256,ES256",
            "Comma-separated algorithms accepted with NATTER_JWT_JWKS_URL (RS*, PS*, ES*; never HS* or none).");
    public static final ConfigKey TOKEN_REVALIDATE_MS = new ConfigKey("NATTER_TOKEN_REVALIDATE_MS", "60000",
            "How often open sockets are checked; one whose token expired without a REFRESH_TOKEN is closed with 4001.");
    public static final ConfigKey RATE_LIMIT_PER_SECOND = new ConfigKey("NATTER_RATE_LIMIT_PER_SECOND", "20",
            "Room writes (send, edit, delete) per second per user on this edge, over all its sessions.");
    public static final ConfigKey RATE_LIMIT_BURST = new ConfigKey("NATTER_RATE_LIMIT_BURST", "40",
            "Room writes a user may make at once before the per-second rate applies.");
    public static final ConfigKey OUTBOUND_MAX_FRAMES = new ConfigKey("NATTER_OUTBOUND_MAX_FRAMES", "1000",
            "Frames a connection may have waiting to be written before it is closed as a slow consumer (4008).");
    public static final ConfigKey OUTBOUND_MAX_BYTES = new ConfigKey("NATTER_OUTBOUND_MAX_BYTES", "1048576",
            "Bytes a connection may have waiting to be written before it is closed as a slow consumer (4008).");
    public static final ConfigKey OUTAGE_BUFFER_MAX_COMMANDS = new ConfigKey("NATTER_OUTAGE_BUFFER_MAX_COMMANDS", "1000",
            "Room writes held in memory while Kafka is unreachable; when full the oldest is answered DROPPED. 0 = none.");
    public static final ConfigKey OUTAGE_MAX_WAIT_MS = new ConfigKey("NATTER_OUTAGE_MAX_WAIT_MS", "60000",
            "Longest a room write waits in the outage buffer; then it is answered DROPPED.");
    public static final ConfigKey PEER_REGIONS = new ConfigKey("NATTER_PEER_REGIONS", "",
            "Comma-separated other regions whose mirrored fan-out, rejection and membership topics (<peer>.chat.*) "
                    + "this edge also delivers; empty = single region.");
    public static final ConfigKey ACK_LEVEL = new ConfigKey("NATTER_ACK_LEVEL", "local",
            "local: ACK once the home region sequenced the send; replicated: also wait until it is on the peer "
                    + "region's cluster (else ERROR NOT_REPLICATED after the request timeout).");
    public static final ConfigKey PEER_KAFKA_BOOTSTRAP = new ConfigKey("NATTER_PEER_KAFKA_BOOTSTRAP", "",
            "Bootstrap servers of the peer region's Kafka cluster; required with NATTER_ACK_LEVEL=replicated.");

    public static final ConfigKey MAX_CONNECTIONS = new ConfigKey("NATTER_MAX_CONNECTIONS", "50000",
            "WebSockets this edge holds at most (open or in handshake); one more is refused with 503 EDGE_FULL.");
    public static final ConfigKey MAX_CONNECTIONS_PER_USER = new ConfigKey("NATTER_MAX_CONNECTIONS_PER_USER", "16",
            "WebSockets one user may hold on this edge; one more is refused with 429 TOO_MANY_CONNECTIONS.");
    public static final ConfigKey HANDSHAKE_RATE_PER_SECOND = new ConfigKey("NATTER_HANDSHAKE_RATE_PER_SECOND", "50",
            "WebSocket handshakes per second per remote address, checked before the token; over it: 429.");
    public static final ConfigKey HANDSHAKE_BURST = new ConfigKey("NATTER_HANDSHAKE_BURST", "100",
            "Handshakes one remote address may make at once before the per-second rate applies.");
    public static final ConfigKey SHUTDOWN_DRAIN_MS = new ConfigKey("NATTER_SHUTDOWN_DRAIN_MS", "10000",
            "On SIGTERM, how long the edge waits for the verdicts of commands it took before closing sockets with 1001.");

    public static final ConfigKey FANOUT_THREADS = new ConfigKey("NATTER_FANOUT_THREADS", "1",
            "Threads that read the fan-out and write its copies to the sockets, each with its own Kafka consumer over "
                    + "a share of the partitions (a room stays on one thread); more lets an edge's fan-out use more "
                    + "than one core.");

    /** Every key the edge reads (presence's last), in README order. */
    public static final List<ConfigKey> KEYS = Stream.concat(Stream.of(KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, REGION,
                    EDGE_HOST, EDGE_PORT, NODE_ID, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, REQUEST_TIMEOUT_MS,
                    MAX_FRAME_BYTES, MAX_CONTENT_BYTES, WS_IDLE_TIMEOUT_MS, TOPOLOGY_QUERY_URLS,
                    JWT_JWKS_URL, JWT_ALGORITHMS, TOKEN_REVALIDATE_MS, RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST,
                    OUTBOUND_MAX_FRAMES, OUTBOUND_MAX_BYTES, OUTAGE_BUFFER_MAX_COMMANDS, OUTAGE_MAX_WAIT_MS,
                    MAX_CONNECTIONS, MAX_CONNECTIONS_PER_USER, HANDSHAKE_RATE_PER_SECOND, HANDSHAKE_BURST,
                    SHUTDOWN_DRAIN_MS, FANOUT_THREADS,
                    PEER_REGIONS, ACK_LEVEL, PEER_KAFKA_BOOTSTRAP),
            PresenceConfig.KEYS.stream()).toList();

    private static final int MIN_SECRET_BYTES = 32;

    /** Parses {@code env}; throws {@link IllegalArgumentException} naming the key of any invalid value. */
    public static EdgeConfig fromEnv(Map<String, String> env) {
        String secret = JWT_SECRET.read(env);
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(JWT_SECRET.name() + " must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        String nodeId = NODE_ID.read(env);
        return new EdgeConfig(
                KAFKA_BOOTSTRAP.read(env),
                SCHEMA_REGISTRY_URL.read(env),
                REGION.read(env),
                EDGE_HOST.read(env),
                EDGE_PORT.intIn(env, 0, 65_535),
                nodeId != null ? nodeId : "edge-" + UUID.randomUUID().toString().substring(0, 8),
                secret,
                JWT_ISSUER.read(env),
                JWT_AUDIENCE.read(env),
                Duration.ofMillis(REQUEST_TIMEOUT_MS.intIn(env, 1, Integer.MAX_VALUE)),
                MAX_FRAME_BYTES.intIn(env, 256, Integer.MAX_VALUE),
                MAX_CONTENT_BYTES.intIn(env, 1, Integer.MAX_VALUE),
                Duration.ofMillis(WS_IDLE_TIMEOUT_MS.intIn(env, 1_000, Integer.MAX_VALUE)),
                TOPOLOGY_QUERY_URLS.httpUrls(env),
                PresenceConfig.fromEnv(env),
                tokens(env),
                new Backpressure(RATE_LIMIT_PER_SECOND.intIn(env, 1, 1_000_000), RATE_LIMIT_BURST.intIn(env, 1, 1_000_000),
                        OUTBOUND_MAX_FRAMES.intIn(env, 2, Integer.MAX_VALUE),
                        OUTBOUND_MAX_BYTES.intIn(env, 1024, Integer.MAX_VALUE),
                        OUTAGE_BUFFER_MAX_COMMANDS.intIn(env, 0, 1_000_000),
                        Duration.ofMillis(OUTAGE_MAX_WAIT_MS.intIn(env, 1_000, Integer.MAX_VALUE))),
                new Admission(MAX_CONNECTIONS.intIn(env, 1, Integer.MAX_VALUE),
                        MAX_CONNECTIONS_PER_USER.intIn(env, 1, Integer.MAX_VALUE),
                        HANDSHAKE_RATE_PER_SECOND.intIn(env, 1, 1_000_000), HANDSHAKE_BURST.intIn(env, 1, 1_000_000),
                        Duration.ofMillis(SHUTDOWN_DRAIN_MS.intIn(env, 0, 600_000))),
                regions(env),
                FANOUT_THREADS.intIn(env, 1, 64));
    }

    private static Regions regions(Map<String, String> env) {
        String region = REGION.read(env);
        List<String> peers = Stream.of(PEER_REGIONS.read(env).split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).distinct().toList();
        for (String peer : peers) {
            if (!peer.matches("[a-z0-9-]+") || peer.equals(region)) {
                throw new IllegalArgumentException(PEER_REGIONS.name() + " needs region names [a-z0-9-]+ other than "
                        + REGION.name() + ", got '" + peer + "'");
            }
        }
        AckLevel level = switch (ACK_LEVEL.read(env)) {
            case "local" -> AckLevel.LOCAL;
            case "replicated" -> AckLevel.REPLICATED;
            default -> throw new IllegalArgumentException(ACK_LEVEL.name() + " must be local or replicated, got '"
                    + ACK_LEVEL.read(env) + "'");
        };
        String peerBootstrap = PEER_KAFKA_BOOTSTRAP.read(env).trim();
        if (level == AckLevel.REPLICATED && (peers.size() != 1 || peerBootstrap.isEmpty())) {
            // The watcher follows one peer cluster: replicated acks are defined for a pair of regions.
            throw new IllegalArgumentException(ACK_LEVEL.name() + "=replicated needs exactly one region in "
                    + PEER_REGIONS.name() + " and " + PEER_KAFKA_BOOTSTRAP.name());
        }
        return new Regions(peers, level, level == AckLevel.REPLICATED ? peerBootstrap : null);
    }

    private static Tokens tokens(Map<String, String> env) {
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
        return new Tokens(jwksUrl, algorithms,
                Duration.ofMillis(TOKEN_REVALIDATE_MS.intIn(env, 100, Integer.MAX_VALUE)));
    }

    /** This config with another port, e.g. 0 for tests. */
    public EdgeConfig withPort(int newPort) {
        return new EdgeConfig(kafkaBootstrap, schemaRegistryUrl, region, host, newPort, nodeId, jwtSecret, jwtIssuer,
                jwtAudience, requestTimeout, maxFrameBytes, maxContentBytes, wsIdleTimeout, topologyQueryUrls, presence, tokens,
                backpressure, admission, regions, fanoutThreads);
    }

    /** This config with other topology query URLs, e.g. the port a test topology bound. */
    public EdgeConfig withTopologyQueryUrls(List<URI> urls) {
        return new EdgeConfig(kafkaBootstrap, schemaRegistryUrl, region, host, port, nodeId, jwtSecret, jwtIssuer,
                jwtAudience, requestTimeout, maxFrameBytes, maxContentBytes, wsIdleTimeout, List.copyOf(urls), presence,
                tokens, backpressure, admission, regions, fanoutThreads);
    }

    /** This config with other presence settings, e.g. a test's Redis and a free gRPC port. */
    public EdgeConfig withPresence(PresenceConfig newPresence) {
        return new EdgeConfig(kafkaBootstrap, schemaRegistryUrl, region, host, port, nodeId, jwtSecret, jwtIssuer,
                jwtAudience, requestTimeout, maxFrameBytes, maxContentBytes, wsIdleTimeout, topologyQueryUrls,
                newPresence, tokens, backpressure, admission, regions, fanoutThreads);
    }

    /** This config with other token settings, e.g. a test's JWKS server or a short revalidation interval. */
    public EdgeConfig withTokens(Tokens newTokens) {
        return new EdgeConfig(kafkaBootstrap, schemaRegistryUrl, region, host, port, nodeId, jwtSecret, jwtIssuer,
                jwtAudience, requestTimeout, maxFrameBytes, maxContentBytes, wsIdleTimeout, topologyQueryUrls, presence,
                newTokens, backpressure, admission, regions, fanoutThreads);
    }

    /** This config with other cross-region settings, e.g. a test region's peer and ack level. */
    public EdgeConfig withRegions(Regions newRegions) {
        return new EdgeConfig(kafkaBootstrap, schemaRegistryUrl, region, host, port, nodeId, jwtSecret, jwtIssuer,
                jwtAudience, requestTimeout, maxFrameBytes, maxContentBytes, wsIdleTimeout, topologyQueryUrls, presence,
                tokens, backpressure, admission, newRegions, fanoutThreads);
    }

    @Override
    public String toString() {
        // The secret never reaches logs.
        return "EdgeConfig[kafkaBootstrap=" + kafkaBootstrap + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", region=" + region + ", host=" + host + ", port=" + port + ", nodeId=" + nodeId
                + ", jwtIssuer=" + jwtIssuer + ", jwtAudience=" + jwtAudience + ", requestTimeout=" + requestTimeout
                + ", maxFrameBytes=" + maxFrameBytes + ", maxContentBytes=" + maxContentBytes
                + ", wsIdleTimeout=" + wsIdleTimeout + ", topologyQueryUrls=" + topologyQueryUrls
                + ", presence=" + presence.toString().replaceAll("//[^/@]*@", "//***@") + ", tokens=" + tokens
                + ", backpressure=" + backpressure + ", admission=" + admission + ", regions=" + regions
                + ", fanoutThreads=" + fanoutThreads + "]";
    }
}
