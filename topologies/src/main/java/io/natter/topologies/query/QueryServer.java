package io.natter.topologies.query;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The internal HTTP API of a topologies instance: room state, history and a user's rooms, plus readiness. */
public final class QueryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);

    /** Body of the health endpoints. */
    record Health(String status) {}

    private final Javalin app;

    private QueryServer(Javalin app) {
        this.app = app;
    }

    /** Binds {@code host:port} (0 = a free port) and serves {@code router}'s answers and {@code operator}'s calls. */
    public static QueryServer start(String host, int port, QueryRouter router, RegionOperator operator) {
        Javalin app = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            // Forwarding blocks on a peer; virtual threads make that cheap.
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(QueryJson.newMapper(), true));
            mapErrors(cfg.routes);
            cfg.routes.get("/health/live", ctx -> ctx.json(new Health("UP")));
            cfg.routes.get("/health/ready", ctx -> {
                boolean ready = router.ready();
                ctx.status(ready ? 200 : 503).json(new Health(ready ? "UP" : "DOWN"));
            });
            new QueryApi(router, operator).register(cfg.routes);
        });
        app.start();
        return new QueryServer(app);
    }

    /** The bound port. */
    public int port() {
        return app.port();
    }

    private static void mapErrors(RoutesConfig routes) {
        routes.exception(QueryException.class, (e, ctx) -> respond(ctx, e.status(), e.code(), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) ->
                respond(ctx, e.getStatus(), e.getStatus() == 404 ? "NOT_FOUND" : "HTTP_" + e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "INTERNAL", "internal error");
        });
    }

    private static void respond(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new ErrorBody(code, message));
    }

    @Override
    public void close() {
        app.stop();
    }
}
