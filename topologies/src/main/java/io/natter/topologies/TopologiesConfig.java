package io.natter.topologies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/** Configuration of the topologies service, read from environment variables. */
public record TopologiesConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String region,
        String applicationId,
        String instanceId,
        Path stateDir,
        ProcessingGuarantee processingGuarantee,
        Duration commitInterval,
        int replicationFactor,
        int standbyReplicas,
        int streamThreads,
        Duration sessionTimeout,
        Retention retention,
        String queryHost,
        int queryPort,
        List<String> peerRegions,
        String peerKafkaBootstrap,
        Duration peerStatusCatchUp) {

    public TopologiesConfig {
        peerRegions = List.copyOf(peerRegions);
    }

    /** A configuration that does not read the peer's region status (no fence). */
    public TopologiesConfig(String bootstrapServers, String schemaRegistryUrl, String region, String applicationId,
                            String instanceId, Path stateDir, ProcessingGuarantee processingGuarantee,
                            Duration commitInterval, int replicationFactor, int standbyReplicas, int streamThreads,
                            Duration sessionTimeout, Retention retention, String queryHost, int queryPort,
                            List<String> peerRegions) {
        this(bootstrapServers, schemaRegistryUrl, region, applicationId, instanceId, stateDir, processingGuarantee,
                commitInterval, replicationFactor, standbyReplicas, streamThreads, sessionTimeout, retention, queryHost,
                queryPort, peerRegions, "", Duration.ofMillis(Long.parseLong(PEER_STATUS_CATCH_UP_MS.defaultValue())));
    }

    /** A single-region configuration (no peer regions). */
    public TopologiesConfig(String bootstrapServers, String schemaRegistryUrl, String region, String applicationId,
                            String instanceId, Path stateDir, ProcessingGuarantee processingGuarantee,
                            Duration commitInterval, int replicationFactor, int standbyReplicas, int streamThreads,
                            Duration sessionTimeout, Retention retention, String queryHost, int queryPort) {
        this(bootstrapServers, schemaRegistryUrl, region, applicationId, instanceId, stateDir, processingGuarantee,
                commitInterval, replicationFactor, standbyReplicas, streamThreads, sessionTimeout, retention, queryHost,
                queryPort, List.of());
    }

    /** An environment variable with its default and meaning. */
    public record Key(String name, String defaultValue, String doc) {}

    /** Kafka Streams' delivery guarantee, as this service allows it. */
    public enum ProcessingGuarantee {
        EXACTLY_ONCE_V2("exactly_once_v2"),
        AT_LEAST_ONCE("at_least_once");

        private final String streamsName;

        ProcessingGuarantee(String streamsName) {
            this.streamsName = streamsName;
        }

        public String streamsName() {
            return streamsName;
        }
    }

    public static final Key KAFKA_BOOTSTRAP = new Key("NATTER_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
            "Kafka bootstrap servers.");
    public static final Key SCHEMA_REGISTRY_URL = new Key("NATTER_SCHEMA_REGISTRY_URL",
            "http://127.0.0.1:8081/apis/ccompat/v7", "Base URL of a Confluent-API schema registry.");
    public static final Key REGION = new Key("NATTER_REGION", "us",
            "Region this instance runs in; stamped on events and made the home region of rooms created here.");
    public static final Key APPLICATION_ID = new Key("NATTER_TOPOLOGY_APPLICATION_ID", "natter-topologies",
            "Kafka Streams application.id: consumer group and prefix of internal topics; shared by all instances.");
    public static final Key INSTANCE_ID = new Key("NATTER_TOPOLOGY_INSTANCE_ID", "topologies-0",
            "Id of this instance: client.id prefix and state sub-directory. Unique per instance on one host.");
    public static final Key STATE_DIR = new Key("NATTER_TOPOLOGY_STATE_DIR", "/tmp/natter-topologies",
            "Base directory of local state stores; each instance uses <dir>/<instance id>.");
    public static final Key PROCESSING_GUARANTEE = new Key("NATTER_PROCESSING_GUARANTEE", "exactly_once_v2",
            "exactly_once_v2 (no duplicate or gap in seq after a crash) or at_least_once.");
    public static final Key COMMIT_INTERVAL_MS = new Key("NATTER_COMMIT_INTERVAL_MS", "15",
            "Commit interval; under exactly-once it bounds how long read_committed readers wait for output.");
    public static final Key REPLICATION_FACTOR = new Key("NATTER_TOPOLOGY_REPLICATION_FACTOR", "1",
            "Replication factor of internal topics (the room-state changelog); 3 in production.");
    public static final Key STANDBY_REPLICAS = new Key("NATTER_TOPOLOGY_STANDBY_REPLICAS", "0",
            "Warm standby copies of each state store on other instances, for fast failover.");
    public static final Key STREAM_THREADS = new Key("NATTER_TOPOLOGY_STREAM_THREADS", "2",
            "Stream threads in this instance; its partitions' tasks are shared among them.");
    public static final Key SESSION_TIMEOUT_MS = new Key("NATTER_TOPOLOGY_SESSION_TIMEOUT_MS", "10000",
            "Consumer session timeout: how soon the tasks of a killed instance move to the others.");
    public static final Key DEDUPE_WINDOW_MS = new Key("NATTER_DEDUPE_WINDOW_MS", "86400000",
            "How long a send's (senderId, clientMsgId) is remembered: a repeat within it is answered DUPLICATE. 0 = off.");
    public static final Key HISTORY_MAX_MESSAGES = new Key("NATTER_HISTORY_MAX_MESSAGES", "1000",
            "Messages of each room kept in the history store (the newest).");
    public static final Key HISTORY_MAX_AGE_MS = new Key("NATTER_HISTORY_MAX_AGE_MS", "604800000",
            "Age after which a message leaves the history store (7 days).");
    public static final Key QUERY_HOST = new Key("NATTER_TOPOLOGY_QUERY_HOST", "127.0.0.1",
            "Host the internal query API binds to and advertises to the other instances (application.server).");
    public static final Key QUERY_PORT = new Key("NATTER_TOPOLOGY_QUERY_PORT", "8090",
            "Port of the internal query API; 0 = a free port.");
    public static final Key PEER_REGIONS = new Key("NATTER_PEER_REGIONS", "",
            "Comma-separated other regions whose chat topics MirrorMaker 2 copies here (<peer>.chat.*); empty = single-region mode.");

    public static final Key PEER_KAFKA_BOOTSTRAP = new Key("NATTER_PEER_KAFKA_BOOTSTRAP", "",
            "The peer region's Kafka bootstrap servers (one peer): its chat.region.status.v1 is read there, and a peer"
                    + " that declares this region DOWN fences it (REGION_FENCED). Empty = never fenced.");
    public static final Key PEER_STATUS_CATCH_UP_MS = new Key("NATTER_PEER_STATUS_CATCH_UP_MS", "10000",
            "At start-up, how long to wait to read the peer's region status before processing; unreachable: warn, go on.");

    /** Every key, in README order. */
    public static final List<Key> KEYS = List.of(KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, REGION, APPLICATION_ID,
            INSTANCE_ID, STATE_DIR, PROCESSING_GUARANTEE, COMMIT_INTERVAL_MS, REPLICATION_FACTOR, STANDBY_REPLICAS,
            STREAM_THREADS, SESSION_TIMEOUT_MS, DEDUPE_WINDOW_MS, HISTORY_MAX_MESSAGES, HISTORY_MAX_AGE_MS, QUERY_HOST,
            QUERY_PORT, PEER_REGIONS, PEER_KAFKA_BOOTSTRAP, PEER_STATUS_CATCH_UP_MS);

    /** Parses {@code env}, using each key's default when it is unset or blank. */
    public static TopologiesConfig fromEnv(Map<String, String> env) {
        return new TopologiesConfig(
                text(env, KAFKA_BOOTSTRAP),
                text(env, SCHEMA_REGISTRY_URL),
                text(env, REGION),
                text(env, APPLICATION_ID),
                text(env, INSTANCE_ID),
                Path.of(text(env, STATE_DIR)),
                guarantee(env),
                Duration.ofMillis(integer(env, COMMIT_INTERVAL_MS, 0)),
                integer(env, REPLICATION_FACTOR, 1),
                integer(env, STANDBY_REPLICAS, 0),
                integer(env, STREAM_THREADS, 1),
                Duration.ofMillis(integer(env, SESSION_TIMEOUT_MS, 1)),
                new Retention(Duration.ofMillis(longInteger(env, DEDUPE_WINDOW_MS, 0)),
                        integer(env, HISTORY_MAX_MESSAGES, 1),
                        Duration.ofMillis(longInteger(env, HISTORY_MAX_AGE_MS, 1))),
                text(env, QUERY_HOST),
                port(env, QUERY_PORT),
                peerRegions(env),
                peerBootstrap(env),
                Duration.ofMillis(longInteger(env, PEER_STATUS_CATCH_UP_MS, 0)));
    }

    /** The peer's bootstrap servers; only with exactly one peer region (which cluster would it be otherwise). */
    private static String peerBootstrap(Map<String, String> env) {
        String value = text(env, PEER_KAFKA_BOOTSTRAP);
        if (!value.isEmpty() && peerRegions(env).size() != 1) {
            throw new TopologiesConfigException(PEER_KAFKA_BOOTSTRAP.name() + " needs exactly one region in "
                    + PEER_REGIONS.name() + ", got " + peerRegions(env));
        }
        return value;
    }

    /** The same configuration with the query API on {@code port}: the port actually bound when 0 was asked. */
    public TopologiesConfig withQueryPort(int port) {
        return new TopologiesConfig(bootstrapServers, schemaRegistryUrl, region, applicationId, instanceId, stateDir,
                processingGuarantee, commitInterval, replicationFactor, standbyReplicas, streamThreads, sessionTimeout,
                retention, queryHost, port, peerRegions, peerKafkaBootstrap, peerStatusCatchUp);
    }

    /** This region and its peers. */
    public Regions regions() {
        return new Regions(region, peerRegions);
    }

    /** This instance's own state directory. */
    public Path instanceStateDir() {
        return stateDir.resolve(instanceId);
    }

    /** The Kafka Streams configuration this service runs with. */
    public Map<String, Object> streamsConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.CLIENT_ID_CONFIG, applicationId + "-" + instanceId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, instanceStateDir().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee.streamsName());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        // Streams metadata names each instance by this address, so a query for any room finds its owner.
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queryHost + ":" + queryPort);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) sessionTimeout.toMillis());
        // Latency over batching: a chat message is one small record (DESIGN.md: EOS p50 ≈ 27 ms at 20 ms commits).
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        props.put(StreamsConfig.POLL_MS_CONFIG, 10L);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, ReceiptStoreBloomFilter.class);
        // Under exactly-once nothing is visible to read_committed readers before the commit, which flushes the
        // producer; so batching until then costs no latency and saves the broker a produce request per record.
        // At least once, records are visible as soon as they land: send at once.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                processingGuarantee == ProcessingGuarantee.AT_LEAST_ONCE ? 0 : (int) commitInterval.toMillis());
        // The first write of a transaction to a partition whose previous commit markers are still being written is
        // answered CONCURRENT_TRANSACTIONS; markers take milliseconds, the default 100 ms backoff made each a stall.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5L);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), 100L);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        if (processingGuarantee == ProcessingGuarantee.EXACTLY_ONCE_V2) {
            // Output waits for the commit anyway, so the main consumer fetches commands in ≤ 5 ms batches rather
            // than one fetch per record or two: −0.1 to −0.2 cores (broker and topology) at 1,000–1,500 commands/s
            // for ~2 ms at the median (bench/RESULTS.md). Restore and global consumers keep the 10 ms above.
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 16 * 1024);
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 5);
        }
        // A poison command must not stop every room: skip it, log it, count it (dropped-records metric);
        // but fail (and retry) while the registry is unreachable, so an outage drops nothing.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, CommandDeserializationHandler.class);
        // The judge is pure and runs before any write, so skipping a command that makes it throw leaves no
        // half-applied state; the alternative would retry the same record forever and stall its partition.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        // The region-status global table (multi-region mode) gets the same handling as the room processors.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // An accepted message that cannot be written must not count as sent: failing aborts the transaction,
        // rolling back the store with it, and the replaced thread retries from the last commit.
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class);
        return props;
    }

    private static String text(Map<String, String> env, Key key) {
        String value = env.get(key.name());
        return value == null || value.isBlank() ? key.defaultValue() : value.strip();
    }

    private static int integer(Map<String, String> env, Key key, int min) {
        String value = text(env, key);
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new TopologiesConfigException(key.name() + " must be an integer, got '" + value + "'");
        }
        if (parsed < min) {
            throw new TopologiesConfigException(key.name() + " must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }

    private static long longInteger(Map<String, String> env, Key key, long min) {
        String value = text(env, key);
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new TopologiesConfigException(key.name() + " must be an integer, got '" + value + "'");
        }
        if (parsed < min) {
            throw new TopologiesConfigException(key.name() + " must be at least " + min + ", got " + parsed);
        }
        return parsed;
    }

    private static int port(Map<String, String> env, Key key) {
        int port = integer(env, key, 0);
        if (port > 65535) {
            throw new TopologiesConfigException(key.name() + " must be at most 65535, got " + port);
        }
        return port;
    }

    private static List<String> peerRegions(Map<String, String> env) {
        String value = env.getOrDefault(PEER_REGIONS.name(), PEER_REGIONS.defaultValue());
        List<String> peers = new ArrayList<>();
        for (String part : value.split(",")) {
            String peer = part.strip();
            if (peer.isEmpty()) {
                continue;
            }
            // A region names topics (<peer>.chat.*), so it must be a plain topic-name fragment without the separator.
            if (!peer.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new TopologiesConfigException(PEER_REGIONS.name() + " entries must match [a-z0-9][a-z0-9_-]*, got '"
                        + peer + "'");
            }
            if (peer.equals(text(env, REGION)) || peers.contains(peer)) {
                throw new TopologiesConfigException(PEER_REGIONS.name() + " must list other regions once each, got '"
                        + value.strip() + "' in region " + text(env, REGION));
            }
            peers.add(peer);
        }
        return List.copyOf(peers);
    }

    private static ProcessingGuarantee guarantee(Map<String, String> env) {
        String value = text(env, PROCESSING_GUARANTEE).toLowerCase(Locale.ROOT);
        for (ProcessingGuarantee g : ProcessingGuarantee.values()) {
            if (g.streamsName().equals(value)) {
                return g;
            }
        }
        throw new TopologiesConfigException(PROCESSING_GUARANTEE.name()
                + " must be exactly_once_v2 or at_least_once, got '" + value + "'");
    }
}
