package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UserRateLimitsTest {
    private static final long MS = 1_000_000;
    private final AtomicLong nanos = new AtomicLong(5_000 * MS);
    private final UserRateLimits limits = new UserRateLimits(10, 3, nanos::get);

    @Test
    void allowsTheBurstAtOnceThenAsksToWaitForTheNextToken() {
        assertThat(takes("alice", 5)).containsExactly(0L, 0L, 0L, 100L, 100L);
    }

    @Test
    void refillsAtTheRateUpToTheBurst() {
        takes("alice", 3);
        nanos.addAndGet(150 * MS);
        assertThat(takes("alice", 2)).containsExactly(0L, 50L);
        nanos.addAndGet(10_000 * MS);
        assertThat(takes("alice", 4)).containsExactly(0L, 0L, 0L, 100L);
    }

    @Test
    void limitsEachUserSeparately() {
        takes("alice", 3);
        assertThat(takes("bob", 3)).containsExactly(0L, 0L, 0L);
        assertThat(limits.tryAcquire("alice")).isEqualTo(100L);
    }

    @Test
    void forgetsOnlyAFullBucketSoReconnectingBuysNoFreshBurst() {
        takes("alice", 3);
        limits.forgetIfIdle("alice");
        assertThat(limits.size()).isEqualTo(1);
        assertThat(limits.tryAcquire("alice")).isEqualTo(100L);
        nanos.addAndGet(1_000 * MS);
        limits.forgetIfIdle("alice");
        assertThat(limits.size()).isZero();
    }

    private List<Long> takes(String user, int count) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            waits.add(limits.tryAcquire(user));
        }
        return waits;
    }
}
