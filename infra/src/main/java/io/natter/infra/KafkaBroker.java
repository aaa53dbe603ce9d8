package io.natter.infra;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A single-node KRaft Kafka (broker and controller in this JVM) on 127.0.0.1, keeping its log under a data dir. */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;

    private KafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker whose log lives in {@code dataDir} (formatted on first use, reused afterwards) listening on
     * {@code port}, or on a free port below 32768 when {@code port} is 0. Returns once the broker answers Admin calls.
     */
    public static KafkaBroker start(Path dataDir, int port) {
        long started = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().normalize();
        int brokerPort = port == 0 ? FreePorts.pick() : port;
        int controllerPort = FreePorts.pick(2).stream().filter(p -> p != brokerPort).findFirst().orElseThrow();
        Map<String, String> props = brokerProperties(logDir, brokerPort, controllerPort);
        KafkaConfig config = new KafkaConfig(props, false);
        formatIfNew(logDir, config);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        String bootstrap = "127.0.0.1:" + brokerPort;
        KafkaBroker broker = new KafkaBroker(server, bootstrap, logDir);
        try {
            server.startup();
            broker.awaitClusterAnswers();
        } catch (RuntimeException e) {
            // A half-started server keeps non-daemon threads alive; stop it so the JVM can still exit.
            broker.close();
            throw new StartupException("Kafka broker on " + bootstrap + " (data " + logDir + ") failed to start", e);
        }
        LOG.info("Kafka broker ready on {} (controller port {}, data {}) in {} ms", bootstrap, controllerPort, logDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }

    /** The key/value pairs a single-node dev broker needs; every internal topic has one replica. */
    static Map<String, String> brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        // Fewer internal partitions than the 50 default: the first consumer group or transaction starts faster.
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "10");
        // A killed exactly-once producer's open transaction blocks read_committed readers until the broker aborts
        // it; checking every second (default 10 s) shortens the stall after a topology instance dies.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // After a kill -9 the restarted controller waits out the old registration's session before letting the
        // broker in again; 4 s instead of 9 s shortens that wait.
        props.put("broker.session.timeout.ms", "4000");
        props.put("broker.heartbeat.interval.ms", "1000");
        // Topics are created on purpose (createTopics), so a typo in a topic name fails instead of inventing a topic.
        props.put("auto.create.topics.enable", "false");
        return props;
    }

    private static void formatIfNew(Path logDir, KafkaConfig config) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setUnstableFeatureVersionsEnabled(config.unstableFeatureVersionsEnabled())
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new StartupException("could not format Kafka storage in " + logDir, e);
        }
    }

    private void awaitClusterAnswers() {
        try (Admin admin = admin()) {
            Await.until("Kafka at " + bootstrapServers + " answers describeCluster", READY_TIMEOUT,
                    () -> {
                        Collection<?> nodes = get(admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                                .nodes(), Duration.ofSeconds(10));
                        return nodes != null && !nodes.isEmpty();
                    });
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The directory holding this broker's log and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates each named topic with {@code partitions} partitions and one replica; topics that already exist are left
     * as they are. Returns once every partition of every named topic has a leader.
     */
    public void createTopics(Collection<String> names, int partitions) {
        List<NewTopic> topics = names.stream().map(name -> new NewTopic(name, partitions, (short) 1)).toList();
        try (Admin admin = admin()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
            for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StartupException("could not create topic " + result.getKey(), e.getCause());
                    }
                }
            }
            Await.until("topics " + names + " have leaders", READY_TIMEOUT, () -> allPartitionsLed(admin, names));
            warnAboutOtherPartitionCounts(admin, names, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while creating topics " + names, e);
        } catch (TimeoutException e) {
            throw new StartupException("creating topics " + names + " timed out", e);
        }
    }

    /** A topic kept from an earlier run may have another partition count; say so rather than change it silently. */
    private static void warnAboutOtherPartitionCounts(Admin admin, Collection<String> names, int partitions) {
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(Set.copyOf(names)).allTopicNames(),
                Duration.ofSeconds(10));
        if (descriptions == null) {
            return;
        }
        descriptions.values().stream()
                .filter(description -> description.partitions().size() != partitions)
                .forEach(description -> LOG.warn("topic {} already exists with {} partitions, not {}; kept as it is",
                        description.name(), description.partitions().size(), partitions));
    }

    private static boolean allPartitionsLed(Admin admin, Collection<String> names) {
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(Set.copyOf(names)).allTopicNames(),
                Duration.ofSeconds(10));
        if (descriptions == null) {
            return false;
        }
        return descriptions.values().stream()
                .flatMap(description -> description.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    /** Returns the future's value, or null when it failed or took too long: a readiness probe that is not ready yet. */
    private static <T> T get(KafkaFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Kafka not ready yet: {}", e.toString());
            return null;
        }
    }

    private Admin admin() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "natter-infra-admin");
        return Admin.create(config);
    }

    /** Stops the broker and controller and waits until their threads have ended. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker on {} stopped", bootstrapServers);
    }
}
