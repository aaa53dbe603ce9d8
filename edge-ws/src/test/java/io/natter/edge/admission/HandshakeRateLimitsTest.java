package io.natter.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandshakeRateLimitsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void allowsTheBurstPerAddressThenRefusesWithTheWaitUntilTheRefill() {
        HandshakeRateLimits limits = new HandshakeRateLimits(2, 3, 100, now::get);
        assertThat(limits.tryAcquire("10.0.0.1")).isZero();
        assertThat(limits.tryAcquire("10.0.0.1")).isZero();
        assertThat(limits.tryAcquire("10.0.0.1")).isZero();
        assertThat(limits.tryAcquire("10.0.0.1")).isEqualTo(500);
        assertThat(limits.tryAcquire("10.0.0.2")).as("another address has its own bucket").isZero();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limits.tryAcquire("10.0.0.1")).isZero();
        assertThat(limits.tryAcquire("10.0.0.1")).isEqualTo(500);
    }

    @Test
    void aFullTableDropsIdleBucketsAndGivesNewAddressesTheSharedOverflowBucketMeanwhile() {
        HandshakeRateLimits limits = new HandshakeRateLimits(1, 2, 3, now::get);
        for (String address : new String[] {"a", "b", "c"}) {
            assertThat(limits.tryAcquire(address)).isZero();
        }
        assertThat(limits.trackedAddresses()).isEqualTo(3);

        // Table full, nothing idle yet: the newcomers share one bucket of burst 2.
        assertThat(limits.tryAcquire("d")).isZero();
        assertThat(limits.tryAcquire("e")).isZero();
        assertThat(limits.tryAcquire("f")).isPositive();
        assertThat(limits.trackedAddresses()).isEqualTo(3);

        // A second later a, b and c refilled: the next newcomer sweeps them out and gets a bucket of its own.
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(limits.tryAcquire("g")).isZero();
        assertThat(limits.trackedAddresses()).isEqualTo(1);
        assertThat(limits.tryAcquire("g")).isZero();
        assertThat(limits.tryAcquire("g")).isPositive();
    }

    @Test
    void sweepsAtMostOncePerSecond() {
        HandshakeRateLimits limits = new HandshakeRateLimits(1000, 1, 1, now::get);
        assertThat(limits.tryAcquire("a")).isZero();
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(limits.tryAcquire("b")).isZero(); // sweeps a (refilled), takes its place
        assertThat(limits.tryAcquire("c")).as("b took its token; no sweep this second: overflow").isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limits.tryAcquire("d")).as("still within the second: overflow, refilled").isZero();
        assertThat(limits.trackedAddresses()).isEqualTo(1);
    }
}
