package io.natter.topologies.query;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Routes of the query API: decode the request, ask the router, encode the answer. */
final class QueryApi {
    private final QueryRouter router;

    QueryApi(QueryRouter router) {
        this.router = router;
    }

    void register(RoutesConfig routes) {
        routes.get("/internal/rooms/{roomId}", ctx -> ctx.json(router.room(ctx.pathParam("roomId"), forwarded(ctx))));
        routes.get("/internal/rooms/{roomId}/messages", ctx -> ctx.json(router.messages(ctx.pathParam("roomId"),
                MessageQuery.parse(ctx.queryParam("afterSeq"), ctx.queryParam("beforeSeq"), ctx.queryParam("limit")),
                forwarded(ctx))));
        routes.get("/internal/users/{userId}/rooms", ctx ->
                ctx.json(router.roomsOf(ctx.pathParam("userId"), forwarded(ctx))));
    }

    private static boolean forwarded(Context ctx) {
        return ctx.header(PeerClient.FORWARDED_HEADER) != null;
    }
}
