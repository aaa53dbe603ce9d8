package io.natter.edge.session;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code perSecond}. Written by hand because no rate-limit
 * library is among the edge's dependencies and this is all of what one would be used for here.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double nanosPerToken;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long refilledAt;

    public TokenBucket(int perSecond, int burst, LongSupplier nanoClock) {
        this.nanosPerToken = (double) NANOS_PER_SECOND / perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.refilledAt = nanoClock.getAsLong();
    }

    /** Takes one token: 0 when taken, else the milliseconds (at least 1) until one will be available. */
    public synchronized long tryTake() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - refilledAt) / nanosPerToken);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        double waitNanos = (1 - tokens) * nanosPerToken;
        return Math.max(1, (long) Math.ceil(waitNanos / 1_000_000));
    }

    /** Whether the bucket is full again, i.e. forgetting it changes nothing. */
    public synchronized boolean full() {
        return Math.min(burst, tokens + (nanoClock.getAsLong() - refilledAt) / nanosPerToken) >= burst;
    }
}
