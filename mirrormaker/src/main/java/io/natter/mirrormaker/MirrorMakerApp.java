package io.natter.mirrormaker;

import io.natter.schemas.AvroTrust;
import io.natter.schemas.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConnector;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Natter's MirrorMaker 2 node: replicates the chat topics between two regions, both ways by default, with Kafka's
 * dedicated-mode driver ({@link MirrorMaker}) in this JVM.
 *
 * <p>Dedicated mode rather than connectors in a hand-built Connect worker: one driver runs the source, checkpoint
 * and heartbeat connectors of every flow from one properties file (the same file Kafka's
 * {@code connect-mirror-maker.sh} reads), and keeps its configuration, offsets and status in Kafka topics of the
 * target cluster, so a restarted node resumes where the last one committed.
 */
public final class MirrorMakerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorMakerApp.class);
    private static final List<Class<?>> CONNECTORS = List.of(MirrorSourceConnector.class,
            MirrorCheckpointConnector.class, MirrorHeartbeatConnector.class);
    private static final String RUNNING = "RUNNING";
    private static final String FAILED = "FAILED";
    private static final Duration MAIN_READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);

    private final MirrorMaker mirrorMaker;
    private final List<SourceAndTarget> flows;
    private final Map<String, String> properties;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private MirrorMakerApp(MirrorMaker mirrorMaker, List<SourceAndTarget> flows, Map<String, String> properties) {
        this.mirrorMaker = mirrorMaker;
        this.flows = flows;
        this.properties = properties;
    }

    /**
     * Checks the regions' partition counts, then starts MirrorMaker for the configured flows and returns; the
     * connectors come up in the background, see {@link #awaitReplicating(Duration)}.
     *
     * @throws MirrorMakerConfigException when the template does not fit the regions, or a Natter topic has different
     *     partition counts in the two regions
     */
    public static MirrorMakerApp start(MirrorMakerConfig config) {
        Map<String, String> properties = Mm2Properties.render(Mm2Properties.loadTemplate(config.propertiesFile()), config);
        requireEqualPartitionCounts(config);
        List<SourceAndTarget> flows = new ArrayList<>();
        for (Region source : config.regions()) {
            for (Region target : config.regions()) {
                if (!source.equals(target) && config.targetRegions().contains(target.alias())
                        && Boolean.parseBoolean(properties.get(source.alias() + "->" + target.alias() + ".enabled"))) {
                    flows.add(new SourceAndTarget(source.alias(), target.alias()));
                }
            }
        }
        // Connect swaps the calling thread's context class loader for its plugin loader; give the caller its own back.
        Thread caller = Thread.currentThread();
        ClassLoader callerLoader = caller.getContextClassLoader();
        MirrorMaker mirrorMaker;
        try {
            mirrorMaker = new MirrorMaker(properties, List.copyOf(config.targetRegions()));
            try {
                mirrorMaker.start();
            } catch (RuntimeException e) {
                mirrorMaker.stop();
                throw e;
            }
        } finally {
            caller.setContextClassLoader(callerLoader);
        }
        LOG.info("MirrorMaker started: flows {} between {} ({}) and {} ({})", flows, config.regionA().alias(),
                config.regionA().bootstrapServers(), config.regionB().alias(), config.regionB().bootstrapServers());
        return new MirrorMakerApp(mirrorMaker, List.copyOf(flows), properties);
    }

    private static void requireEqualPartitionCounts(MirrorMakerConfig config) {
        Region a = config.regionA();
        Region b = config.regionB();
        List<String> mismatches = PartitionCounts.mismatches(
                a.alias(), PartitionCounts.of(a.bootstrapServers(), TopicNames.ALL),
                b.alias(), PartitionCounts.of(b.bootstrapServers(), TopicNames.ALL));
        if (!mismatches.isEmpty()) {
            throw new MirrorMakerConfigException("Natter topics must have the same partition count in both regions, "
                    + "so a room's key maps to the same partition everywhere: " + String.join("; ", mismatches));
        }
    }

    /** The replication flows this node runs, e.g. {@code us->eu} and {@code eu->us}. */
    public List<String> flows() {
        return flows.stream().map(SourceAndTarget::toString).toList();
    }

    /** The MirrorMaker 2 properties this node runs with: the template plus this run's endpoints. */
    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Waits until every flow's source, checkpoint and heartbeat connectors run and the source connector runs at least
     * one task (so there is a chat topic to mirror).
     *
     * @throws IllegalStateException when a connector or task has failed, or the time is up
     */
    public void awaitReplicating(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReplicating()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("MirrorMaker not replicating after " + timeout + ": " + connectorStates());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for MirrorMaker", e);
            }
        }
    }

    private boolean isReplicating() {
        List<String> failures = failures();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("MirrorMaker failed: " + String.join("; ", failures));
        }
        for (SourceAndTarget flow : flows) {
            for (Class<?> connector : CONNECTORS) {
                ConnectorStateInfo state = status(flow, connector);
                boolean running = state != null && RUNNING.equals(state.connector().state())
                        && state.tasks().stream().allMatch(task -> RUNNING.equals(task.state()))
                        && (connector != MirrorSourceConnector.class || !state.tasks().isEmpty());
                if (!running) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The connectors and tasks that have FAILED, described with their traces. Dedicated mode has no REST API to
     * restart them, so a failure stays until the process restarts: {@link #main} exits with status 2.
     */
    public List<String> failures() {
        List<String> failures = new ArrayList<>();
        for (SourceAndTarget flow : flows) {
            for (Class<?> connector : CONNECTORS) {
                ConnectorStateInfo state = status(flow, connector);
                if (state != null && (FAILED.equals(state.connector().state())
                        || state.tasks().stream().anyMatch(task -> FAILED.equals(task.state())))) {
                    failures.add(flow + " " + connector.getSimpleName() + ": " + describe(state));
                }
            }
        }
        return failures;
    }

    /** The state of each flow's connectors and their tasks, e.g. {@code us->eu MirrorSourceConnector} → {@code RUNNING, tasks [RUNNING]}. */
    public Map<String, String> connectorStates() {
        Map<String, String> states = new LinkedHashMap<>();
        for (SourceAndTarget flow : flows) {
            for (Class<?> connector : CONNECTORS) {
                ConnectorStateInfo state = status(flow, connector);
                states.put(flow + " " + connector.getSimpleName(), state == null ? "NOT CONFIGURED YET" : describe(state));
            }
        }
        return states;
    }

    private ConnectorStateInfo status(SourceAndTarget flow, Class<?> connector) {
        try {
            return mirrorMaker.connectorStatus(flow, connector.getSimpleName());
        } catch (NotFoundException e) {
            // The herder's leader writes the connector configurations only after it has joined its group.
            return null;
        }
    }

    private static String describe(ConnectorStateInfo state) {
        StringBuilder text = new StringBuilder(state.connector().state()).append(", tasks ")
                .append(state.tasks().stream().map(ConnectorStateInfo.AbstractState::state).toList());
        state.tasks().stream().filter(task -> task.trace() != null).findFirst()
                .ifPresent(task -> text.append(", first task trace: ").append(task.trace()));
        if (state.connector().trace() != null) {
            text.append(", trace: ").append(state.connector().trace());
        }
        return text.toString();
    }

    /** Stops every connector and herder and waits until they have ended. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            mirrorMaker.stop();
            mirrorMaker.awaitStop();
            LOG.info("MirrorMaker stopped: flows {}", flows);
            stopped.countDown();
        }
    }

    /**
     * Runs MirrorMaker from {@code NATTER_MM2_*} variables until SIGTERM. An optional argument names a properties
     * template, overriding {@code NATTER_MM2_CONFIG_FILE}.
     */
    public static void main(String[] args) throws InterruptedException {
        AvroTrust.install();
        MirrorMakerApp app;
        try {
            MirrorMakerConfig config = MirrorMakerConfig.fromEnv(System.getenv());
            if (args.length > 1) {
                throw new MirrorMakerConfigException("usage: MirrorMakerApp [mm2-template.properties]");
            }
            app = start(args.length == 1 ? config.withPropertiesFile(Path.of(args[0])) : config);
        } catch (RuntimeException e) {
            LOG.error("MirrorMaker failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "mirrormaker-shutdown"));
        try {
            app.awaitReplicating(MAIN_READY_TIMEOUT);
            LOG.info("MirrorMaker replicating: {}", app.connectorStates());
        } catch (IllegalStateException e) {
            // Failures are handled below; a timeout is not fatal: topics may be created later, and MirrorMaker
            // picks them up on its next refresh.
            LOG.warn("{}", e.getMessage());
        }
        while (!app.stopped.await(HEALTH_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
            List<String> failures = app.failures();
            if (!failures.isEmpty()) {
                // Nothing in this process can restart a failed task; exiting lets the supervisor start a fresh node,
                // which resumes from the offsets committed in the target cluster.
                LOG.error("MirrorMaker has failed, exiting: {}", String.join("; ", failures));
                System.exit(2);
            }
        }
    }
}
