package io.natter.topologies;

import io.natter.schemas.AvroTrust;
import io.natter.schemas.Topics;
import io.natter.topologies.query.QueryRouter;
import io.natter.topologies.query.RegionOperator;
import io.natter.topologies.query.QueryServer;
import io.natter.topologies.telemetry.OpenTelemetrySetup;
import io.natter.topologies.telemetry.TopologyMetrics;
import io.natter.topologies.telemetry.TracingProcessorWrapper;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The topologies service: runs {@link RoomTopology} in one Kafka Streams instance and serves its query API. */
public final class TopologiesApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopologiesApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final QueryServer queryServer;
    private final QueryRouter queryRouter;
    private final RegionOperator operator;
    /** Reads what the peer says of this region on the peer's cluster; null when not configured. */
    private final PeerStatusReader peerStatus;
    private final TopologyMetrics metrics;
    private final OpenTelemetry openTelemetry;
    private final boolean ownsOpenTelemetry;
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private final CompletableFuture<KafkaStreams.State> terminated = new CompletableFuture<>();

    private TopologiesApp(KafkaStreams streams, QueryServer queryServer, QueryRouter queryRouter,
                          RegionOperator operator, TopologyMetrics metrics, OpenTelemetry openTelemetry,
                          boolean ownsOpenTelemetry, PeerStatusReader peerStatus) {
        this.peerStatus = peerStatus;
        this.metrics = metrics;
        this.openTelemetry = openTelemetry;
        this.ownsOpenTelemetry = ownsOpenTelemetry;
        this.streams = streams;
        this.queryServer = queryServer;
        this.queryRouter = queryRouter;
        this.operator = operator;
    }

    /**
     * Starts the query API, then builds the topology and starts it; returns at once, see
     * {@link #awaitRunning(Duration)}.
     */
    public static TopologiesApp start(TopologiesConfig config) {
        return start(config, OpenTelemetrySetup.fromEnv(System.getenv(), "natter-topologies"), true);
    }

    /** As {@link #start(TopologiesConfig)}, tracing with {@code openTelemetry} (tests: an in-memory exporter's). */
    public static TopologiesApp start(TopologiesConfig config, OpenTelemetry openTelemetry) {
        return start(config, openTelemetry, false);
    }

    private static TopologiesApp start(TopologiesConfig config, OpenTelemetry openTelemetry, boolean ownsOpenTelemetry) {
        TopologyMetrics metrics = new TopologyMetrics();
        Topics topics = Topics.forRegistry(config.schemaRegistryUrl());
        RegionTopics.ensure(config.bootstrapServers(), config.regions(), (short) config.replicationFactor());
        QueryRouter router = new QueryRouter(config.retention().historyMaxMessages());
        RegionFence fence = new RegionFence(config.region());
        metrics.bindFence(fence, config.peerRegions());
        RegionOperator operator = new RegionOperator(config.regions(), topics, config.bootstrapServers(),
                config.instanceId(), router::regionStatuses, Clock.systemUTC(), fence);
        // Bound first: with port 0 only the bound port can be advertised as application.server.
        QueryServer server = QueryServer.start(config.queryHost(), config.queryPort(), router, operator,
                metrics::register);
        TopologiesApp app;
        try {
            TopologiesConfig bound = config.withQueryPort(server.port());
            Properties props = new Properties();
            props.putAll(bound.streamsConfig());
            // Traces the judge (KIP-1112 wrapper); the instance travels in the config as an object.
            props.put(StreamsConfig.PROCESSOR_WRAPPER_CLASS_CONFIG, TracingProcessorWrapper.class);
            props.put(TracingProcessorWrapper.OPEN_TELEMETRY_CONFIG, openTelemetry);
            StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
            RoomTopology.build(builder, topics, bound.regions(), bound.retention(), Clock.systemUTC(),
                    () -> UUID.randomUUID().toString(), MessageIds::forSeq, fence);
            Topology topology = builder.build(props);
            app = new TopologiesApp(new KafkaStreams(topology, props), server, router, operator, metrics,
                    openTelemetry, ownsOpenTelemetry, peerStatusReader(config, fence));
            metrics.bind(app.streams);
            router.attach(app.streams, new HostInfo(bound.queryHost(), bound.queryPort()));
        } catch (RuntimeException e) {
            server.close();
            router.close();
            operator.close();
            metrics.close();
            throw e;
        }
        // Before any command is judged: a DOWN the peer already declared must be known (bounded wait).
        if (app.peerStatus != null) {
            app.peerStatus.start(config.peerStatusCatchUp());
        }
        app.run();
        LOG.info("topologies {} started in region {}{} ({}), state in {}, queries on {}:{}", config.instanceId(),
                config.region(), config.peerRegions().isEmpty() ? "" : " with peers " + config.peerRegions(),
                config.processingGuarantee().streamsName(), config.instanceStateDir(), config.queryHost(), server.port());
        return app;
    }

    private static PeerStatusReader peerStatusReader(TopologiesConfig config, RegionFence fence) {
        if (config.peerRegions().isEmpty()) {
            return null;
        }
        if (config.peerKafkaBootstrap().isEmpty()) {
            LOG.warn("{} is not set: this region is never fenced by its peer; stop it yourself before the peer"
                    + " declares it down", TopologiesConfig.PEER_KAFKA_BOOTSTRAP.name());
            return null;
        }
        return new PeerStatusReader(config.peerRegions().getFirst(), config.peerKafkaBootstrap(), config.region(),
                config.applicationId() + "-" + config.instanceId(), fence);
    }

    /** The port of the query API. */
    public int queryPort() {
        return queryServer.port();
    }

    private void run() {
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            switch (now) {
                case RUNNING -> running.complete(null);
                case ERROR, NOT_RUNNING -> {
                    running.completeExceptionally(new IllegalStateException("topologies stopped in state " + now));
                    terminated.complete(now);
                }
                default -> { }
            }
        });
        // A thread dies on errors the handlers chose to fail on (registry down, a write that cannot be made):
        // replacing it retries from the last commit, so rooms resume once the cause is gone, with nothing skipped.
        streams.setUncaughtExceptionHandler(exception -> {
            LOG.error("stream thread failed; replacing it", exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    /**
     * Blocks until the instance is RUNNING (its tasks assigned and restored).
     *
     * @throws IllegalStateException if it stops instead, or does not get there within {@code timeout}
     */
    public void awaitRunning(Duration timeout) {
        try {
            running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topologies not RUNNING after " + timeout + " (state " + streams.state() + ")", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for topologies to run", e);
        }
    }

    /** The Kafka Streams state of this instance. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Completes with ERROR or NOT_RUNNING once the instance has stopped. */
    public CompletableFuture<KafkaStreams.State> terminated() {
        return terminated;
    }

    /** Stops processing, commits and leaves the group (waits up to 30 s), then stops the query API. */
    @Override
    public void close() {
        try {
            closeStreams();
        } finally {
            queryServer.close();
            queryRouter.close();
            operator.close();
            if (peerStatus != null) {
                peerStatus.close();
            }
            metrics.close();
            if (ownsOpenTelemetry && openTelemetry instanceof OpenTelemetrySdk sdk) {
                sdk.close();
            }
        }
    }

    private void closeStreams() {
        // Leaving the group hands this instance's rooms to the others (or to its restart) at once, instead of
        // after the session timeout: a clean restart then pauses its rooms for seconds, not tens of seconds.
        CloseOptions options = CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
        if (!streams.close(options)) {
            LOG.warn("topologies did not stop within {}", CLOSE_TIMEOUT);
        }
    }

    /** Runs the service with configuration from the environment until the JVM is stopped. */
    public static void main(String[] args) {
        AvroTrust.install();
        TopologiesApp app;
        try {
            app = start(TopologiesConfig.fromEnv(System.getenv()));
        } catch (RuntimeException e) {
            LOG.error("topologies failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "topologies-shutdown"));
        // NOT_RUNNING follows a shutdown hook's close; ERROR means every thread died: exit non-zero.
        if (app.terminated().join() == KafkaStreams.State.ERROR) {
            LOG.error("topologies stopped in ERROR; exiting");
            System.exit(2);
        }
    }
}
