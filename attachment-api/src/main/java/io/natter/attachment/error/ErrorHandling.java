package io.natter.attachment.error;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorBody;
import io.natter.edge.error.ErrorMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers, all with the edge's JSON body {@code {"code","message"}}:
 * attachment errors by their {@link AttachmentError}, the edge's (token, membership, bad body, unavailable) with the
 * edge's own statuses, Javalin's (unknown route, oversize body) by status, anything else a 500.
 */
public final class ErrorHandling {
    private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

    private ErrorHandling() {}

    public static void register(RoutesConfig routes) {
        routes.exception(AttachmentException.class, (e, ctx) -> {
            if (e.error().status() >= 500) {
                log.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage(), e.getCause());
            }
            respond(ctx, e.error().status(), e.error().name(), e.getMessage());
        });
        routes.exception(EdgeException.class, (e, ctx) -> {
            int status = ErrorMapper.statusOf(e);
            if (status >= 500) {
                log.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage(), e.getCause());
            }
            respond(ctx, status, e.code(), e.getMessage());
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                respond(ctx, e.getStatus(), httpCode(e.getStatus()), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "INTERNAL", "internal error");
        });
    }

    private static void respond(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new ErrorBody(code, message));
    }

    private static String httpCode(int status) {
        return switch (status) {
            case 400 -> "INVALID_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "PAYLOAD_TOO_LARGE";
            default -> "HTTP_" + status;
        };
    }
}
