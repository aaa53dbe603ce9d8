package io.natter.edge;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code GET /metrics}: the edge's meters in the Prometheus text format, unauthenticated like health. */
final class MetricsApi {
    static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsApi(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
    }
}
