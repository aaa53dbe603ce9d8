package io.natter.edge.error;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.servlet.JavalinWsServletContext;
import io.javalin.websocket.WsCloseStatus;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.presence.PresenceUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP statuses and client error codes. */
public final class ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    /** HTTP status of each rejection code the topology emits; any other code is a 422. */
    private static final Map<String, Integer> REJECTION_STATUS = Map.of(
            "ROOM_EXISTS", 409,
            "ROOM_NOT_FOUND", 404,
            "NOT_A_MEMBER", 403,
            "NOT_ROOM_OWNER", 403,
            "OWNER_CANNOT_LEAVE", 409,
            "NOT_MESSAGE_AUTHOR", 403,
            "MESSAGE_NOT_FOUND", 404,
            "ATTACHMENT_NOT_FOUND", 404,
            "UNSUPPORTED_COMMAND", 501,
            "REGION_FENCED", 503);

    private ErrorMapper() {}

    /** Registers the HTTP exception handlers (also applied to a refused WebSocket upgrade) and the WebSocket one. */
    public static void register(RoutesConfig routes) {
        routes.exception(EdgeException.class, (e, ctx) -> {
            headersOf(e).forEach(ctx::header);
            respond(ctx, statusOf(e), e.code(), e.getMessage());
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                respond(ctx, e.getStatus(), httpCode(e.getStatus()), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "INTERNAL", "internal error");
        });
        // Frame errors are answered as ERROR frames before reaching here; anything else is a bug: close with 1011.
        routes.wsException(Exception.class, (e, ctx) -> {
            log.error("unhandled error on socket {}", ctx.sessionId(), e);
            ctx.closeSession(WsCloseStatus.SERVER_ERROR, "internal error");
        });
    }

    /** HTTP status for a typed failure. */
    public static int statusOf(EdgeException e) {
        return switch (e) {
            case UnauthorizedException u -> 401;
            case InvalidRequestException i -> 400;
            case CommandRejectedException r -> REJECTION_STATUS.getOrDefault(r.code(), 422);
            case RequestTimeoutException t -> 503;
            case UnavailableException u -> 503;
            case AccessDeniedException a -> "NOT_A_MEMBER".equals(a.code()) ? 403 : 404;
            case HistoryTruncatedException h -> 410;
            case RateLimitedException r -> 429;
            case DroppedException d -> 503;
            case RefusedException r -> switch (r.reason()) {
                case HANDSHAKE_RATE_LIMITED, TOO_MANY_CONNECTIONS -> 429;
                case SHUTTING_DOWN, EDGE_FULL -> 503;
            };
        };
    }

    /**
     * HTTP headers that go with a typed failure: {@code Retry-After} (whole seconds, at least 1) when the refusal has
     * one, and {@code Connection: close} while shutting down so a kept-alive client reconnects to another edge.
     */
    public static Map<String, String> headersOf(EdgeException e) {
        if (!(e instanceof RefusedException refused)) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (refused.retryAfter() != null) {
            long millis = refused.retryAfter().toMillis();
            headers.put("Retry-After", Long.toString(Math.max(1, (millis + 999) / 1000)));
        }
        if (refused.reason() == RefusedException.Reason.SHUTTING_DOWN) {
            headers.put("Connection", "close");
        }
        return headers;
    }

    /** The ERROR frame for a typed failure; {@code ref} names what it answers (request id, clientMsgId or room id). */
    public static ServerFrame.Error frameOf(EdgeException e, String ref) {
        Long oldestSeq = e instanceof HistoryTruncatedException truncated ? truncated.oldestSeq() : null;
        Long retryAfterMs = e instanceof RateLimitedException limited ? limited.retryAfterMs() : null;
        return new ServerFrame.Error(e.code(), e.getMessage(), ref, oldestSeq, retryAfterMs);
    }

    /**
     * The typed failure behind an async outcome: unwraps completion wrappers and turns a timeout or an
     * unexpected error into its edge exception.
     */
    public static EdgeException unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case EdgeException e -> e;
            case PresenceUnavailableException p -> UnavailableException.presence("presence is unavailable", p);
            case TimeoutException t -> new RequestTimeoutException("no answer from the room topology in time");
            default -> new UnavailableException("request failed: " + cause.getMessage(), cause);
        };
    }

    private static void respond(Context ctx, int status, String code, String message) {
        ErrorBody body = new ErrorBody(code, message);
        if (ctx instanceof JavalinWsServletContext) {
            // A refused WebSocket upgrade never reaches Javalin's result writer: write the body here.
            writeDirectly(ctx.res(), status, ctx.jsonMapper().toJsonString(body, ErrorBody.class));
        } else {
            ctx.status(status).json(body);
        }
    }

    private static void writeDirectly(HttpServletResponse response, int status, String json) {
        response.setStatus(status);
        response.setContentType("application/json");
        try {
            response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the error response", e);
        }
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
