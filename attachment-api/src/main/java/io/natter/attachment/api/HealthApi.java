package io.natter.attachment.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.function.BooleanSupplier;

/** Liveness (the process answers) and readiness (Postgres, the bucket and Kafka answer). */
public final class HealthApi {
    /** Body of the health endpoints. */
    record Status(String status) {}

    private final BooleanSupplier ready;

    public HealthApi(BooleanSupplier ready) {
        this.ready = ready;
    }

    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> ctx.json(new Status("UP")));
        routes.get("/health/ready", this::ready);
    }

    private void ready(Context ctx) {
        boolean up = ready.getAsBoolean();
        ctx.status(up ? 200 : 503).json(new Status(up ? "UP" : "DOWN"));
    }
}
