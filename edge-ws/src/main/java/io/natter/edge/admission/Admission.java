package io.natter.edge.admission;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.natter.edge.auth.Authentication;
import io.natter.edge.error.RefusedException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a request passes before the edge takes it. Before the token check: while draining, every REST call and
 * handshake is refused (503 SHUTTING_DOWN), and a handshake over its remote address's rate is refused (429
 * HANDSHAKE_RATE_LIMITED) — first, because it costs a map lookup while a token costs a signature check (or a JWKS
 * fetch), so a flood of bad tokens cannot make the edge verify them. After it: the user's and the node's caps reserve
 * a slot (429 TOO_MANY_CONNECTIONS, 503 EDGE_FULL), released when the socket closes or the upgrade fails.
 * Handshake refusals are counted by reason.
 */
public final class Admission {
    /** Micrometer name of refused handshakes, tag {@code reason}; Prometheus {@code chat_ws_handshakes_refused_total}. */
    public static final String HANDSHAKES_REFUSED_COUNTER = "chat.ws.handshakes.refused";
    private static final String SLOT_ATTRIBUTE = "natter.slot";
    private static final String ENTERED_ATTRIBUTE = "natter.entered";
    private static final int SWITCHING_PROTOCOLS = 101;

    private final Drain drain;
    private final HandshakeRateLimits handshakes;
    private final ConnectionLimits limits;
    private final Map<RefusedException.Reason, Counter> refused = new EnumMap<>(RefusedException.Reason.class);

    public Admission(Drain drain, HandshakeRateLimits handshakes, ConnectionLimits limits, MeterRegistry metrics) {
        this.drain = drain;
        this.handshakes = handshakes;
        this.limits = limits;
        for (RefusedException.Reason reason : RefusedException.Reason.values()) {
            refused.put(reason, Counter.builder(HANDSHAKES_REFUSED_COUNTER)
                    .description("WebSocket handshakes refused before the upgrade, by reason")
                    .tag("reason", reason.name())
                    .register(metrics));
        }
    }

    /** The checks that run before authentication: the drain gate (REST and handshakes) and the handshake rate. */
    public void registerBeforeAuthentication(RoutesConfig routes, String apiPath, String wsPath) {
        routes.before(apiPath, this::enterRequest);
        // After-handlers run even when a handler or a later before-handler threw.
        routes.after(apiPath, this::exitRequest);
        routes.wsBeforeUpgrade(wsPath, this::screenHandshake);
    }

    /**
     * The checks that need the user: registered after authentication, as the last before-upgrade check, so no later
     * check can refuse the handshake and leave its slot reserved.
     */
    public void registerAfterAuthentication(RoutesConfig routes, String wsPath) {
        routes.wsBeforeUpgrade(wsPath, this::reserveSlot);
        routes.wsAfterUpgrade(wsPath, this::releaseIfNotUpgraded);
    }

    /** The slot reserved at this socket's handshake: claimed when it opens, released when it closes. */
    public static Optional<ConnectionLimits.Slot> slot(WsContext ctx) {
        return ctx.attribute(SLOT_ATTRIBUTE) instanceof ConnectionLimits.Slot slot ? Optional.of(slot) : Optional.empty();
    }

    private void enterRequest(Context ctx) {
        if (!drain.tryEnter()) {
            throw RefusedException.shuttingDown();
        }
        ctx.attribute(ENTERED_ATTRIBUTE, Boolean.TRUE);
    }

    private void exitRequest(Context ctx) {
        if (Boolean.TRUE.equals(ctx.attribute(ENTERED_ATTRIBUTE))) {
            drain.exit();
        }
    }

    private void screenHandshake(Context ctx) {
        if (drain.draining()) {
            throw counted(RefusedException.shuttingDown());
        }
        long retryAfterMs = handshakes.tryAcquire(ctx.ip());
        if (retryAfterMs > 0) {
            throw counted(new RefusedException(RefusedException.Reason.HANDSHAKE_RATE_LIMITED,
                    "too many handshakes from this address: retry in " + retryAfterMs + " ms",
                    Duration.ofMillis(retryAfterMs)));
        }
    }

    private void reserveSlot(Context ctx) {
        try {
            ctx.attribute(SLOT_ATTRIBUTE, limits.reserve(Authentication.user(ctx).userId()));
        } catch (RefusedException e) {
            throw counted(e);
        }
    }

    /** A handshake refused by Jetty after the checks (not a valid upgrade) gives its slot back at once. */
    private void releaseIfNotUpgraded(Context ctx) {
        if (ctx.res().getStatus() != SWITCHING_PROTOCOLS
                && ctx.attribute(SLOT_ATTRIBUTE) instanceof ConnectionLimits.Slot slot) {
            slot.release();
        }
    }

    private RefusedException counted(RefusedException e) {
        refused.get(e.reason()).increment();
        return e;
    }
}
