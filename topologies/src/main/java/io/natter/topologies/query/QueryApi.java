package io.natter.topologies.query;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.natter.schemas.avro.RegionAvailability;

/** Routes of the query API: decode the request, ask the router, encode the answer. */
final class QueryApi {
    private final QueryRouter router;
    private final RegionOperator operator;

    /** Request body of {@code POST /internal/rooms/{roomId}/rehome}. */
    record RehomeBody(String toRegion) {}

    /** Optional request body of {@code POST /internal/regions/{region}/down|up}. */
    record DeclareBody(String declaredBy, String reason) {}

    QueryApi(QueryRouter router, RegionOperator operator) {
        this.router = router;
        this.operator = operator;
    }

    void register(RoutesConfig routes) {
        routes.get("/internal/rooms/{roomId}", ctx -> ctx.json(router.room(ctx.pathParam("roomId"), forwarded(ctx))));
        routes.get("/internal/rooms/{roomId}/messages", ctx -> ctx.json(router.messages(ctx.pathParam("roomId"),
                MessageQuery.parse(ctx.queryParam("afterSeq"), ctx.queryParam("beforeSeq"), ctx.queryParam("limit")),
                forwarded(ctx))));
        routes.get("/internal/users/{userId}/rooms", ctx ->
                ctx.json(router.roomsOf(ctx.pathParam("userId"), forwarded(ctx))));
        routes.get("/internal/regions", ctx -> ctx.json(operator.regions()));
        routes.post("/internal/regions/{region}/down", ctx -> declare(ctx, RegionAvailability.DOWN));
        routes.post("/internal/regions/{region}/up", ctx -> declare(ctx, RegionAvailability.UP));
        routes.post("/internal/rooms/{roomId}/rehome", ctx -> {
            RehomeBody body = body(ctx, RehomeBody.class);
            ctx.status(202).json(operator.rehome(ctx.pathParam("roomId"), body == null ? null : body.toRegion()));
        });
    }

    private void declare(Context ctx, RegionAvailability status) {
        DeclareBody body = body(ctx, DeclareBody.class);
        ctx.json(operator.declare(ctx.pathParam("region"), status, body == null ? null : body.declaredBy(),
                body == null ? null : body.reason()));
    }

    /** The JSON body as {@code type}, or {@code null} when there is none. */
    private static <T> T body(Context ctx, Class<T> type) {
        if (ctx.body().isBlank()) {
            return null;
        }
        try {
            return ctx.bodyAsClass(type);
        } catch (RuntimeException e) {
            throw new QueryException.InvalidRequest("invalid JSON body: " + e.getMessage());
        }
    }

    private static boolean forwarded(Context ctx) {
        return ctx.header(PeerClient.FORWARDED_HEADER) != null;
    }
}
