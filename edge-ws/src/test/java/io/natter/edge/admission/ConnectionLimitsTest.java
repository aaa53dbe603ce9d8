package io.natter.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.edge.error.RefusedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConnectionLimitsTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void refusesTheUserOverItsCapWithTooManyConnectionsAndFreesTheSlotOnRelease() {
        ConnectionLimits limits = new ConnectionLimits(10, 2, Duration.ofSeconds(30), now::get);
        ConnectionLimits.Slot first = limits.reserve("alice");
        limits.reserve("alice").claim();
        first.claim();

        assertThatThrownBy(() -> limits.reserve("alice"))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RefusedException.Reason.TOO_MANY_CONNECTIONS);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5));
                })
                .hasMessage("user alice already holds 2 connections on this edge");
        assertThat(limits.reserve("bob")).isNotNull();

        first.release();
        first.release();
        assertThat(limits.heldBy("alice")).isEqualTo(1);
        assertThat(limits.reserve("alice")).isNotNull();
        assertThat(limits.held()).isEqualTo(3);
    }

    @Test
    void refusesAnyoneOverTheNodeCapWithEdgeFull() {
        ConnectionLimits limits = new ConnectionLimits(2, 5, Duration.ofSeconds(30), now::get);
        limits.reserve("a");
        ConnectionLimits.Slot b = limits.reserve("b");
        assertThatThrownBy(() -> limits.reserve("c"))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RefusedException.Reason.EDGE_FULL);
                    assertThat(e.retryAfter()).isNull();
                });
        assertThat(limits.heldBy("c")).as("a refused user holds nothing").isZero();
        b.release();
        assertThat(limits.reserve("c")).isNotNull();
    }

    @Test
    void releasesASlotWhoseSocketNeverOpenedAfterTheClaimTimeoutAndCountsItAgainIfItOpensAfterAll() {
        ConnectionLimits limits = new ConnectionLimits(10, 1, Duration.ofSeconds(30), now::get);
        ConnectionLimits.Slot lost = limits.reserve("alice");
        now.addAndGet(TimeUnit.SECONDS.toNanos(29));
        assertThatThrownBy(() -> limits.reserve("alice")).isInstanceOf(RefusedException.class);

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        ConnectionLimits.Slot next = limits.reserve("alice");
        next.claim();
        assertThat(limits.heldBy("alice")).isEqualTo(1);

        lost.claim();
        assertThat(limits.heldBy("alice")).as("a socket that did open is counted, even past the cap").isEqualTo(2);
        lost.release();
        next.release();
        assertThat(limits.held()).isZero();
        assertThat(limits.heldBy("alice")).isZero();
    }

    @Test
    void aClaimedSlotIsNeverReleasedAsAbandoned() {
        ConnectionLimits limits = new ConnectionLimits(10, 1, Duration.ofSeconds(30), now::get);
        limits.reserve("alice").claim();
        now.addAndGet(TimeUnit.MINUTES.toNanos(10));
        assertThatThrownBy(() -> limits.reserve("alice")).isInstanceOf(RefusedException.class);
        assertThat(limits.held()).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void concurrentHandshakesNeverOvershootTheCapsAndLeaveNothingHeld() throws Exception {
        int perUser = 3;
        int perNode = 20;
        ConnectionLimits limits = new ConnectionLimits(perNode, perUser, Duration.ofSeconds(30), now::get);
        AtomicInteger maxSeen = new AtomicInteger();
        ConcurrentLinkedQueue<String> overshoots = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            String user = "user-" + (t % 10);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    String who = i % 2 == 0 ? user : "user-" + (i % 10);
                    ConnectionLimits.Slot slot;
                    try {
                        slot = limits.reserve(who);
                    } catch (RefusedException refused) {
                        continue;
                    }
                    slot.claim();
                    maxSeen.accumulateAndGet(limits.held(), Math::max);
                    if (limits.heldBy(who) > perUser) {
                        overshoots.add(who + " held " + limits.heldBy(who));
                    }
                    slot.release();
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(overshoots).isEmpty();
        assertThat(maxSeen.get()).isLessThanOrEqualTo(perNode);
        assertThat(limits.held()).isZero();
        for (int u = 0; u < 10; u++) {
            assertThat(limits.heldBy("user-" + u)).isZero();
        }
    }
}
