package io.natter.attachment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.natter.attachment.api.AttachmentsApi;
import io.natter.attachment.api.HealthApi;
import io.natter.attachment.api.OpenApiDocument;
import io.natter.attachment.commands.AttachmentCommands;
import io.natter.attachment.error.ErrorHandling;
import io.natter.attachment.objects.ContentSniffer;
import io.natter.attachment.objects.ObjectStorage;
import io.natter.attachment.service.AttachmentService;
import io.natter.attachment.service.OrphanSweeper;
import io.natter.attachment.service.UploadPolicy;
import io.natter.attachment.service.UploadVerifier;
import io.natter.attachment.store.AttachmentRepository;
import io.natter.attachment.store.Database;
import io.natter.edge.EdgeJson;
import io.natter.edge.auth.Authentication;
import io.natter.edge.kafka.CommandPublisher;
import io.natter.edge.query.RoomQueryClient;
import io.natter.edge.rooms.RoomQueries;
import io.natter.schemas.AvroTrust;
import io.natter.schemas.Envelopes;
import io.natter.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attachment-api process: the REST API over Postgres (metadata), an S3-compatible bucket (bytes), the topology's
 * query API (membership) and Kafka (RegisterAttachment / RemoveAttachment on the room's command path), plus the
 * orphan sweep.
 */
public final class AttachmentServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AttachmentServer.class);
    static final String API_PATH = "/api/*";

    private final AttachmentConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Database database;
    private final ObjectStorage storage;
    private final CommandPublisher publisher;
    private final AttachmentRepository repository;
    private final OrphanSweeper sweeper;
    private final Javalin app;
    private final Thread warmUp;

    private AttachmentServer(AttachmentConfig config, Clock clock) {
        this.config = config;
        try {
            database = add(Database.connect(config.postgres()));
            storage = add(ObjectStorage.connect(config.objectStore()));
            Topics topics = Topics.forRegistry(config.schemaRegistryUrl());
            // No outage buffer here (a completion fails fast with 503 and the client retries), so its limits are zero;
            // the publisher's outage metrics are not served until this service gets a /metrics endpoint.
            publisher = add(CommandPublisher.create(config.kafkaBootstrap(), config.nodeId(), config.requestTimeout(),
                    topics.messageRequested(), new CommandPublisher.OutageLimits(0, Duration.ZERO),
                    new SimpleMeterRegistry()));
            ObjectMapper mapper = jsonMapper();
            RoomQueryClient queryClient = add(new RoomQueryClient(config.topologyQueryUrls(), config.requestTimeout(),
                    mapper));
            repository = new AttachmentRepository(database.jdbi());
            AttachmentCommands commands = new AttachmentCommands(publisher, config.nodeId(),
                    new Envelopes(config.region(), clock), config.requestTimeout());
            UploadPolicy policy = new UploadPolicy(config.limits());
            AttachmentService service = new AttachmentService(repository, storage, new RoomQueries(queryClient), commands,
                    policy, new UploadVerifier(storage, new ContentSniffer(), policy), config.limits(), clock);
            sweeper = add(new OrphanSweeper(repository, storage, commands, config.sweep(),
                    config.limits().uploadUrlTtl(), clock));
            Authentication authentication = new Authentication(config.jwt().authenticator());
            AttachmentsApi api = new AttachmentsApi(service, mapper);
            HealthApi health = new HealthApi(this::ready);
            OpenApiDocument openApi = OpenApiDocument.load();
            app = Javalin.create(cfg -> {
                cfg.jetty.host = config.host();
                cfg.jetty.port = config.port();
                // Handlers block on Postgres, S3, the query API and Kafka acks; virtual threads make that cheap.
                cfg.concurrency.useVirtualThreads = true;
                cfg.startup.showJavalinBanner = false;
                cfg.jsonMapper(new JavalinJackson(mapper, true));
                ErrorHandling.register(cfg.routes);
                // There is no WebSocket here; the edge's guard wants a path for one, so it gets the API's.
                authentication.register(cfg.routes, API_PATH, API_PATH);
                health.register(cfg.routes);
                openApi.register(cfg.routes);
                api.register(cfg.routes);
            });
            warmUp = Thread.ofVirtual().name(config.nodeId() + "-producer-warmup").unstarted(publisher::awaitMetadata);
        } catch (RuntimeException e) {
            closeResources();
            throw e;
        }
    }

    /** Starts a server on the system clock. */
    public static AttachmentServer start(AttachmentConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Starts a server: migrates the database, creates the bucket if allowed, serves HTTP at once and turns ready
     * when Kafka is reachable. {@code clock} dates rows and drives the sweep (tests move it forward).
     */
    public static AttachmentServer start(AttachmentConfig config, Clock clock) {
        AttachmentServer server = new AttachmentServer(config, clock);
        server.publisher.start();
        server.warmUp.start();
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.sweeper.start();
        log.info("attachment-api {} listening on {}:{}", config.nodeId(), config.host(), server.port());
        return server;
    }

    /** The bound HTTP port. */
    public int port() {
        return app.port();
    }

    /** Whether Kafka took the producer's metadata request, and Postgres and the bucket answer. */
    public boolean ready() {
        return publisher.ready() && storage.reachable() && databaseReachable();
    }

    private boolean databaseReachable() {
        try {
            return repository.reachable();
        } catch (RuntimeException e) {
            log.debug("database check failed: {}", e.toString());
            return false;
        }
    }

    /** The sweep, e.g. to run a pass at once in a test. */
    public OrphanSweeper sweeper() {
        return sweeper;
    }

    /** The JSON dialect of the edge, stricter on input: a number must be a JSON integer, not a string or a fraction. */
    static ObjectMapper jsonMapper() {
        ObjectMapper mapper = EdgeJson.newMapper();
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }

    private <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() {
        app.stop();
        warmUp.interrupt();
        closeResources();
    }

    private void closeResources() {
        // Reverse start order; each close is independent so one failure leaves nothing else open.
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }

    public static void main(String[] args) throws InterruptedException {
        AvroTrust.install();
        AttachmentConfig config = AttachmentConfig.fromEnv(System.getenv());
        log.info("starting with {}", config);
        AttachmentServer server = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "attachment-shutdown"));
        stopped.await();
    }
}
