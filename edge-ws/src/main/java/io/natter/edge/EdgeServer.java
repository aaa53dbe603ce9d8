package io.natter.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.natter.edge.admission.Admission;
import io.natter.edge.admission.ConnectionLimits;
import io.natter.edge.admission.Drain;
import io.natter.edge.admission.HandshakeRateLimits;
import io.natter.edge.auth.Authentication;
import io.natter.edge.auth.JwtAuthenticator;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.kafka.CommandPublisher;
import io.natter.edge.kafka.FanoutConsumer;
import io.natter.edge.presence.EdgePresence;
import io.natter.edge.query.RoomQueryClient;
import io.natter.edge.regions.AckPolicy;
import io.natter.edge.regions.ReplicationGate;
import io.natter.edge.regions.RoomEpochs;
import io.natter.edge.rooms.PendingRequests;
import io.natter.edge.rooms.RoomCommands;
import io.natter.edge.rooms.RoomQueries;
import io.natter.edge.rooms.RoomService;
import io.natter.edge.rooms.RoomsApi;
import io.natter.edge.session.Catchup;
import io.natter.edge.session.Delivery;
import io.natter.edge.session.SessionPresence;
import io.natter.edge.session.SessionRegistry;
import io.natter.edge.session.UserRateLimits;
import io.natter.edge.telemetry.EdgeTracing;
import io.natter.edge.telemetry.FanoutTelemetry;
import io.natter.edge.telemetry.InstrumentedProducer;
import io.natter.edge.telemetry.OpenTelemetrySetup;
import io.natter.edge.telemetry.ProcessMetrics;
import io.natter.edge.telemetry.SendRejections;
import io.natter.edge.ws.FrameHandler;
import io.natter.edge.ws.TokenWatch;
import io.natter.edge.ws.WsEndpoint;
import io.natter.schemas.AvroTrust;
import io.natter.schemas.Envelopes;
import io.natter.schemas.Topics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One edge process: HTTP + WebSocket server, command producer, fan-out consumer, presence (Redis) and its internal
 * gRPC server, wired together.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    static final String WS_PATH = "/ws";
    static final String API_PATH = "/api/*";
    /** Micrometer name of the open-sessions gauge; Prometheus shows it as {@code chat_ws_active_sessions}. */
    public static final String ACTIVE_SESSIONS_GAUGE = "chat.ws.active.sessions";
    /** Micrometer name of frames dropped for slow readers; Prometheus {@code chat_frames_dropped_total}. */
    public static final String FRAMES_DROPPED_COUNTER = "chat.frames.dropped";
    /** Micrometer name of slow-consumer closes (4008); Prometheus {@code chat_slow_consumer_closes_total}. */
    public static final String SLOW_CONSUMER_CLOSES_COUNTER = "chat.slow.consumer.closes";
    /** Close code of every socket when the edge shuts down (RFC 6455 "going away"). */
    public static final int GOING_AWAY_CLOSE_CODE = 1001;
    public static final String GOING_AWAY_REASON = "edge shutting down: reconnect and RESUME";
    /** Sockets that are sending when the drain begins get SHUTTING_DOWN answers for this long before the close. */
    private static final Duration CLOSE_SETTLE = Duration.ofMillis(500);
    /** Part of the drain bound kept for the sockets' close handshakes, at most. */
    private static final Duration CLOSE_RESERVE = Duration.ofSeconds(1);

    private final EdgeConfig config;
    private final CommandPublisher publisher;
    private final List<FanoutConsumer> consumers;
    private final ReplicationGate replicationGate;
    private final SessionRegistry sessions;
    private final RoomQueryClient queryClient;
    private final ExecutorService reads;
    private final PrometheusMeterRegistry metrics;
    private final EdgePresence presence;
    private final SessionPresence sessionPresence;
    private final TokenWatch tokenWatch;
    private final Javalin app;
    private final SessionHandler httpSessions = transientHttpSessions();
    private final Thread warmUp;
    private final PendingRequests pending;
    private final Drain drain = new Drain();
    private final ConnectionLimits connectionLimits;
    private final WsEndpoint wsEndpoint;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ProcessMetrics processMetrics;
    private final FanoutTelemetry fanoutTelemetry;
    private final OpenTelemetry openTelemetry;
    private final boolean ownsOpenTelemetry;

    private EdgeServer(EdgeConfig config, OpenTelemetry openTelemetry, boolean ownsOpenTelemetry) {
        this.openTelemetry = openTelemetry;
        this.ownsOpenTelemetry = ownsOpenTelemetry;
        this.config = config;
        ObjectMapper mapper = EdgeJson.newMapper();
        Topics topics = Topics.forRegistry(config.schemaRegistryUrl());
        FrameCodec codec = new FrameCodec(mapper, config.maxContentBytes());
        pending = new PendingRequests(config.requestTimeout());
        sessions = new SessionRegistry();
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder(ACTIVE_SESSIONS_GAUGE, sessions, SessionRegistry::size)
                .description("Open WebSocket sessions on this edge")
                .register(metrics);
        processMetrics = ProcessMetrics.bindTo(metrics);
        EdgeTracing tracing = new EdgeTracing(openTelemetry);
        fanoutTelemetry = new FanoutTelemetry(tracing, metrics, Clock.systemUTC());
        // Returns at once even when Redis is down: presence degrades and recovers, messaging never waits on it.
        presence = EdgePresence.start(config.presence(), config.nodeId(), metrics);
        sessionPresence = new SessionPresence(presence.tracker(), presence.broadcaster(), sessions, codec);
        publisher = CommandPublisher.create(config.kafkaBootstrap(), config.nodeId(), config.requestTimeout(),
                topics.messageRequested(), new CommandPublisher.OutageLimits(
                        config.backpressure().outageBufferMaxCommands(), config.backpressure().outageMaxWait()), metrics,
                producer -> new InstrumentedProducer(producer, tracing, metrics));
        queryClient = new RoomQueryClient(config.topologyQueryUrls(), config.requestTimeout(), mapper);
        RoomQueries queries = new RoomQueries(queryClient);
        // History reads block on HTTP; one virtual thread each keeps sockets and the fan-out thread free.
        reads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(config.nodeId() + "-read-", 0).factory());
        RoomEpochs epochs = new RoomEpochs();
        Catchup catchup = new Catchup(queries, codec, reads, epochs);
        EdgeConfig.Regions regions = config.regions();
        replicationGate = regions.ackLevel() == EdgeConfig.AckLevel.REPLICATED
                ? ReplicationGate.start(regions.peerKafkaBootstrap(), config.region(), topics.messageSent().name())
                : null;
        AckPolicy acks = replicationGate == null ? new AckPolicy.Local()
                : new AckPolicy.Replicated(replicationGate, config.requestTimeout());
        // One consumer and thread per slice of the partitions, each with its own Delivery (its own flush batch).
        consumers = IntStream.range(0, config.fanoutThreads())
                .mapToObj(slice -> new FanoutConsumer(config.kafkaBootstrap(), config.nodeId(), topics,
                        fanoutTelemetry.measured(
                                new Delivery(config.nodeId(), sessions, pending, catchup, sessionPresence, epochs)),
                        regions.peers(), replicationGate, fanoutTelemetry,
                        new FanoutConsumer.Slice(slice, config.fanoutThreads())))
                .toList();
        RoomService rooms = new RoomService(publisher,
                new RoomCommands(config.nodeId(), Envelopes.systemClock(config.region())), pending, drain);

        JwtAuthenticator authenticator = config.tokens().jwksUrl() != null
                ? JwtAuthenticator.jwks(config.tokens().jwksUrl(), config.tokens().jwksAlgorithms(), config.jwtIssuer(),
                        config.jwtAudience())
                : JwtAuthenticator.hs256(config.jwtSecret(), config.jwtIssuer(), config.jwtAudience());
        Authentication authentication = new Authentication(authenticator);
        tokenWatch = TokenWatch.start(authenticator, Clock.systemUTC(), config.tokens().revalidateInterval(),
                config.nodeId());
        RoomsApi roomsApi = new RoomsApi(rooms, queries, mapper);
        EdgeConfig.Backpressure backpressure = config.backpressure();
        UserRateLimits writeLimits = new UserRateLimits(backpressure.ratePerSecond(), backpressure.rateBurst());
        EdgeConfig.Admission limits = config.admission();
        connectionLimits = new ConnectionLimits(limits.maxConnections(), limits.maxConnectionsPerUser());
        Admission admission = new Admission(drain,
                new HandshakeRateLimits(limits.handshakeRatePerSecond(), limits.handshakeBurst()), connectionLimits, metrics);
        wsEndpoint = new WsEndpoint(sessions, sessionPresence,
                new FrameHandler(codec, rooms, queries, catchup, sessionPresence, reads, writeLimits, tokenWatch, acks,
                        new SendRejections(metrics)),
                new WsEndpoint.Outbound(backpressure.outboundMaxFrames(), backpressure.outboundMaxBytes(),
                        Counter.builder(FRAMES_DROPPED_COUNTER)
                                .description("Droppable frames (presence) dropped for connections reading too slowly")
                                .register(metrics),
                        Counter.builder(SLOW_CONSUMER_CLOSES_COUNTER)
                                .description("Connections closed with 4008 for reading too slowly")
                                .register(metrics)),
                writeLimits, tokenWatch);
        HealthApi health = new HealthApi(this::ready);
        MetricsApi metricsApi = new MetricsApi(metrics);
        app = Javalin.create(cfg -> {
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.jetty.modifyServletContextHandler(handler -> handler.setSessionHandler(httpSessions));
            cfg.jetty.modifyWebSocketServletFactory(factory -> {
                // An oversize message closes the socket with 1009 (MESSAGE_TOO_BIG), by Jetty; binary ones too,
                // though they are only refused: their payload is never read.
                factory.setMaxTextMessageSize(config.maxFrameBytes());
                factory.setMaxBinaryMessageSize(config.maxFrameBytes());
                factory.setIdleTimeout(config.wsIdleTimeout());
            });
            // REST handlers block on the topology's verdict; virtual threads make that cheap.
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(mapper, true));
            ErrorMapper.register(cfg.routes);
            tracing.register(cfg.routes, WS_PATH);
            // Order matters: drain gate and handshake rate before the token check, the caps' slot after it.
            admission.registerBeforeAuthentication(cfg.routes, API_PATH, WS_PATH);
            authentication.register(cfg.routes, API_PATH, WS_PATH);
            admission.registerAfterAuthentication(cfg.routes, WS_PATH);
            health.register(cfg.routes);
            metricsApi.register(cfg.routes);
            roomsApi.register(cfg.routes);
            wsEndpoint.register(cfg.routes, WS_PATH);
        });
        warmUp = Thread.ofVirtual().name(config.nodeId() + "-producer-warmup").unstarted(publisher::awaitMetadata);
    }

    /** Starts an edge; it serves HTTP at once and turns ready when Kafka is reachable. */
    public static EdgeServer start(EdgeConfig config) {
        return start(config, OpenTelemetrySetup.fromEnv(System.getenv(), "natter-edge"), true);
    }

    /** Starts an edge tracing with {@code openTelemetry} (tests pass an in-memory exporter's); the caller closes it. */
    static EdgeServer start(EdgeConfig config, OpenTelemetry openTelemetry) {
        return start(config, openTelemetry, false);
    }

    private static EdgeServer start(EdgeConfig config, OpenTelemetry openTelemetry, boolean ownsOpenTelemetry) {
        EdgeServer server = new EdgeServer(config, openTelemetry, ownsOpenTelemetry);
        server.consumers.forEach(FanoutConsumer::start);
        server.publisher.start();
        server.warmUp.start();
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("edge {} listening on {}:{}", config.nodeId(), config.host(), server.port());
        return server;
    }

    /** The bound HTTP/WebSocket port. */
    public int port() {
        return app.port();
    }

    /** This edge's node id. */
    public String nodeId() {
        return config.nodeId();
    }

    /** The bound port of the internal gRPC PresenceService (NATTER_GRPC_PORT; never the public listener). */
    public int grpcPort() {
        return presence.grpcPort();
    }

    /** This edge's presence (tracker, broadcaster), e.g. to read the session index {@code edgesOf}. */
    public EdgePresence presence() {
        return presence;
    }

    /**
     * Whether the producer reached Kafka, Kafka is reachable now (false during an outage) and the fan-out consumers
     * read every partition between them (Redis plays no part), and the edge is not shutting down.
     */
    public boolean ready() {
        return !drain.draining() && publisher.ready() && consumers.stream().allMatch(FanoutConsumer::ready);
    }

    /** The edge's meter registry (what {@code /metrics} serves). */
    public MeterRegistry metrics() {
        return metrics;
    }

    /**
     * Javalin's WebSocket upgrade asks the servlet request for its HTTP session (to copy session attributes), so
     * with Jetty's default cache every handshake, even a refused one, left a session (and set a JSESSIONID cookie)
     * that outlived its connection: memory growing with handshakes ever made. The edge keeps no HTTP state, so
     * its sessions are kept by nobody and never announced in a cookie.
     */
    private static SessionHandler transientHttpSessions() {
        SessionHandler sessions = new SessionHandler();
        NullSessionCache cache = new NullSessionCache(sessions);
        cache.setSessionDataStore(new NullSessionDataStore());
        sessions.setSessionCache(cache);
        sessions.setUsingCookies(false);
        return sessions;
    }

    /** HTTP sessions the edge holds in memory (none: see {@link #transientHttpSessions()}). */
    public long httpSessionsKept() {
        return httpSessions.getSessionCache() instanceof DefaultSessionCache cache ? cache.getSessionsCurrent() : 0;
    }

    /** Number of open WebSocket sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Drains the edge within {@code NATTER_SHUTDOWN_DRAIN_MS}: readiness turns 503 and nothing new is taken at once
     * (handshakes and REST calls 503, room commands {@code SHUTTING_DOWN}); then it waits until every command taken
     * has its verdict (so every send taken gets its ACK or ERROR), flushes the producer, and closes every socket with
     * 1001 so clients reconnect elsewhere and RESUME. Returns whether every verdict came within the bound.
     */
    boolean drain() {
        long started = System.nanoTime();
        Duration bound = config.admission().shutdownDrain();
        long deadline = started + bound.toNanos();
        long verdictDeadline = deadline - Math.min(CLOSE_RESERVE.toNanos(), bound.toNanos() / 5);
        drain.begin();
        int sockets = wsEndpoint.openSockets();
        log.info("draining: {} sockets open, {} commands awaiting their verdict", sockets, pending.size());
        // A client still sending hears SHUTTING_DOWN before the close, rather than have a frame cross it unanswered.
        long settled = sockets == 0 ? started : started + CLOSE_SETTLE.toNanos();
        boolean answered = Drain.awaitUntil(() -> drain.inFlight() == 0 && pending.size() == 0, verdictDeadline);
        Drain.awaitUntil(() -> System.nanoTime() >= settled, verdictDeadline);
        if (!answered) {
            log.warn("drain bound {} ms passed with {} commands still awaiting their verdict: their senders get no "
                    + "answer and resend after reconnecting", bound.toMillis(), pending.size());
        }
        // KafkaProducer.close() sends what it buffered and waits for the broker before returning.
        publisher.close();
        int asked = wsEndpoint.closeAll(GOING_AWAY_CLOSE_CODE, GOING_AWAY_REASON);
        boolean socketsClosed = Drain.awaitUntil(() -> {
            // A handshake that passed the gate just before the drain opens late: it is closed on a later pass.
            wsEndpoint.closeAll(GOING_AWAY_CLOSE_CODE, GOING_AWAY_REASON);
            return connectionLimits.held() == 0;
        }, deadline);
        log.info("drained in {} ms: verdicts {}, {} sockets closed with {}{}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), answered ? "all in" : "missing",
                asked, GOING_AWAY_CLOSE_CODE, socketsClosed ? "" : ", " + connectionLimits.held() + " not closed in time");
        return answered;
    }

    /** Drains (see {@link #drain()}), then stops everything; calls after the first return at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The drain closed the producer (after the last verdict) and every socket.
        drain();
        // Sockets first (their closes reach presence), then presence withdraws what is left of this edge.
        app.stop();
        tokenWatch.close();
        sessionPresence.close();
        presence.close();
        consumers.forEach(FanoutConsumer::close);
        // No verdict can arrive any more; what still waits was answered or closed with its socket.
        pending.close();
        if (replicationGate != null) {
            replicationGate.close();
        }
        reads.shutdownNow();
        queryClient.close();
        warmUp.interrupt();
        fanoutTelemetry.close();
        processMetrics.close();
        metrics.close();
        if (ownsOpenTelemetry && openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        AvroTrust.install();
        EdgeConfig config = EdgeConfig.fromEnv(System.getenv());
        log.info("starting with {}", config);
        EdgeServer server = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
            // SIGTERM would end the JVM with 143; an edge that drained has stopped as asked, so it exits 0.
            Runtime.getRuntime().halt(0);
        }, "edge-shutdown"));
        stopped.await();
    }
}
