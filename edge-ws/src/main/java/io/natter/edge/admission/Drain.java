package io.natter.edge.admission;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The edge's shutdown state. Once {@link #begin()} ran, nothing new is taken (no socket, REST call or room command),
 * and the work that got in before is counted until it is done, so the shutdown knows when it may close the sockets.
 */
public final class Drain {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /** From now on {@link #tryEnter()} refuses. */
    public void begin() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Counts one piece of work in unless the edge is draining; every {@code true} must be paired with {@link #exit()}.
     * Increment-then-check against {@link #begin()}'s write-then-count: a caller that got in is always counted.
     */
    public boolean tryEnter() {
        inFlight.incrementAndGet();
        if (draining) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The work counted by a successful {@link #tryEnter()} is done. */
    public void exit() {
        inFlight.decrementAndGet();
    }

    /** Work entered and not yet exited. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Polls {@code condition} until it holds (true) or {@code System.nanoTime()} passes {@code deadlineNanos} (false). */
    public static boolean awaitUntil(BooleanSupplier condition, long deadlineNanos) {
        while (!condition.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, POLL_NANOS));
            if (Thread.currentThread().isInterrupted()) {
                return condition.getAsBoolean();
            }
        }
        return true;
    }
}
