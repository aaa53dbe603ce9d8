package io.natter.edge.admission;

import io.natter.edge.session.TokenBucket;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * WebSocket handshakes per remote address: one token bucket each, in a table of at most about {@code maxAddresses}
 * entries (~200 bytes each). When the table is full, buckets that refilled (idle addresses) are dropped, at most once
 * a second; while it stays full, new addresses share one overflow bucket, so a flood from many addresses costs bounded
 * memory and is slowed as if it were one client (the node cap is the backstop).
 */
public final class HandshakeRateLimits {
    /** Addresses tracked at most: ~13 MB, and far more than the addresses a single edge sees in a burst. */
    public static final int DEFAULT_MAX_ADDRESSES = 65_536;
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int perSecond;
    private final int burst;
    private final int maxAddresses;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final TokenBucket overflow;
    private final AtomicLong lastSweep;

    public HandshakeRateLimits(int perSecond, int burst, int maxAddresses, LongSupplier nanoClock) {
        if (perSecond < 1 || burst < 1 || maxAddresses < 1) {
            throw new IllegalArgumentException("rate, burst and table size must be at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxAddresses = maxAddresses;
        this.nanoClock = nanoClock;
        this.overflow = new TokenBucket(perSecond, burst, nanoClock);
        this.lastSweep = new AtomicLong(nanoClock.getAsLong() - SWEEP_INTERVAL_NANOS);
    }

    /** With the default table size and the system's monotonic clock. */
    public HandshakeRateLimits(int perSecond, int burst) {
        this(perSecond, burst, DEFAULT_MAX_ADDRESSES, System::nanoTime);
    }

    /** Takes one handshake from {@code address}'s bucket: 0 when allowed, else milliseconds until one will be. */
    public long tryAcquire(String address) {
        TokenBucket bucket = buckets.get(address);
        return (bucket != null ? bucket : bucketForNew(address)).tryTake();
    }

    /** Number of addresses with a bucket of their own. */
    public int trackedAddresses() {
        return buckets.size();
    }

    private TokenBucket bucketForNew(String address) {
        if (buckets.size() >= maxAddresses) {
            sweepIdle();
            if (buckets.size() >= maxAddresses) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(address, a -> new TokenBucket(perSecond, burst, nanoClock));
    }

    /** Drops every full bucket (forgetting it changes nothing), at most once per interval: a sweep is O(table). */
    private void sweepIdle() {
        long now = nanoClock.getAsLong();
        long last = lastSweep.get();
        if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
            buckets.values().removeIf(TokenBucket::full);
        }
    }
}
