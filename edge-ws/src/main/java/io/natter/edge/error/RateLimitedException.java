package io.natter.edge.error;

/** The user sent room writes faster than its rate limit allows; nothing was produced. */
public final class RateLimitedException extends EdgeException {
    private final long retryAfterMs;

    public RateLimitedException(long retryAfterMs) {
        super("RATE_LIMITED", "too many messages: retry in " + retryAfterMs + " ms", null);
        this.retryAfterMs = retryAfterMs;
    }

    /** Milliseconds until the next write will be accepted. */
    public long retryAfterMs() {
        return retryAfterMs;
    }
}
