package io.natter.edge.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Per-user token buckets for room writes (send, edit, delete), shared by all of a user's sessions on this edge. */
public final class UserRateLimits {
    private final int perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public UserRateLimits(int perSecond, int burst, LongSupplier nanoClock) {
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** With the system's monotonic clock. */
    public UserRateLimits(int perSecond, int burst) {
        this(perSecond, burst, System::nanoTime);
    }

    /** Takes one write from {@code userId}'s bucket: 0 when allowed, else milliseconds to wait before retrying. */
    public long tryAcquire(String userId) {
        return buckets.computeIfAbsent(userId, u -> new TokenBucket(perSecond, burst, nanoClock)).tryTake();
    }

    /** Drops {@code userId}'s bucket if it is full (the user's last session closed), so idle users cost nothing. */
    public void forgetIfIdle(String userId) {
        // A bucket still refilling is kept: reconnecting must not buy a fresh burst.
        buckets.computeIfPresent(userId, (u, bucket) -> bucket.full() ? null : bucket);
    }

    /** Number of users with a bucket. */
    public int size() {
        return buckets.size();
    }
}
