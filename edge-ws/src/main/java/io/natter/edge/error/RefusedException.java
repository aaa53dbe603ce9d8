package io.natter.edge.error;

import java.time.Duration;

/**
 * The edge refused new work before starting it: a handshake over a cap or rate, or anything new while it shuts down.
 * {@code retryAfter} (null when none applies) becomes the HTTP {@code Retry-After}.
 */
public final class RefusedException extends EdgeException {
    /** Why, as the stable client-facing code. */
    public enum Reason {
        /** The edge is draining for shutdown: reconnect (and RESUME) or retry on another edge. */
        SHUTTING_DOWN,
        /** Too many handshakes from this remote address. */
        HANDSHAKE_RATE_LIMITED,
        /** The user holds as many sockets on this edge as it may. */
        TOO_MANY_CONNECTIONS,
        /** The edge holds as many sockets as it may. */
        EDGE_FULL
    }

    private final Reason reason;
    private final Duration retryAfter;

    public RefusedException(Reason reason, String message, Duration retryAfter) {
        super(reason.name(), message, null);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    /** The edge is draining: nothing new is taken. */
    public static RefusedException shuttingDown() {
        return new RefusedException(Reason.SHUTTING_DOWN,
                "this edge is shutting down: reconnect to another edge and retry there", null);
    }

    public Reason reason() {
        return reason;
    }

    /** How long to wait before trying this edge again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
