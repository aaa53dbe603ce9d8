package io.natter.edge.admission;

import io.natter.edge.error.RefusedException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Sockets per user and per node. A slot is reserved at the handshake (before the upgrade), claimed when the socket
 * opens and released when it closes, so checks and counts never race. A slot whose socket never opened (the upgrade
 * failed after the check and nothing released it) is released after {@code claimTimeout}, so none leaks.
 */
public final class ConnectionLimits {
    /** How long to wait before a new socket may find a free slot of this user; a hint, slots free when sockets close. */
    static final Duration USER_RETRY_AFTER = Duration.ofSeconds(5);

    private final int maxPerNode;
    private final int maxPerUser;
    private final long claimTimeoutNanos;
    private final LongSupplier nanoClock;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> heldByUser = new ConcurrentHashMap<>();
    private final Set<Slot> unclaimed = ConcurrentHashMap.newKeySet();

    public ConnectionLimits(int maxPerNode, int maxPerUser, Duration claimTimeout, LongSupplier nanoClock) {
        if (maxPerNode < 1 || maxPerUser < 1) {
            throw new IllegalArgumentException("caps must be at least 1");
        }
        this.maxPerNode = maxPerNode;
        this.maxPerUser = maxPerUser;
        this.claimTimeoutNanos = claimTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** With a 30 s claim timeout (far beyond any handshake) and the system's monotonic clock. */
    public ConnectionLimits(int maxPerNode, int maxPerUser) {
        this(maxPerNode, maxPerUser, Duration.ofSeconds(30), System::nanoTime);
    }

    /**
     * Reserves a slot for a socket of {@code userId}, or throws {@link RefusedException} with
     * {@code TOO_MANY_CONNECTIONS} (the user's cap; checked first) or {@code EDGE_FULL} (the node's).
     */
    public Slot reserve(String userId) {
        releaseAbandoned();
        RefusedException[] refusal = new RefusedException[1];
        // compute() makes the user's check-and-count atomic; the node's is a bounded CAS inside it.
        heldByUser.compute(userId, (user, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerUser) {
                refusal[0] = new RefusedException(RefusedException.Reason.TOO_MANY_CONNECTIONS,
                        "user " + user + " already holds " + maxPerUser + " connections on this edge", USER_RETRY_AFTER);
                return count;
            }
            if (!incrementBelow(held, maxPerNode)) {
                refusal[0] = new RefusedException(RefusedException.Reason.EDGE_FULL,
                        "this edge holds its maximum of " + maxPerNode + " connections: connect to another edge", null);
                return count;
            }
            return current + 1;
        });
        if (refusal[0] != null) {
            throw refusal[0];
        }
        Slot slot = new Slot(userId, nanoClock.getAsLong());
        unclaimed.add(slot);
        return slot;
    }

    /** Slots held on this node (open sockets and handshakes in progress). */
    public int held() {
        return held.get();
    }

    /** Slots held by {@code userId}. */
    public int heldBy(String userId) {
        return heldByUser.getOrDefault(userId, 0);
    }

    /** Releases every slot reserved longer than the claim timeout ago whose socket never opened. */
    void releaseAbandoned() {
        if (unclaimed.isEmpty()) {
            return;
        }
        long now = nanoClock.getAsLong();
        for (Slot slot : unclaimed) {
            if (now - slot.reservedAt >= claimTimeoutNanos) {
                slot.abandon();
            }
        }
    }

    private static boolean incrementBelow(AtomicInteger counter, int max) {
        int current;
        do {
            current = counter.get();
            if (current >= max) {
                return false;
            }
        } while (!counter.compareAndSet(current, current + 1));
        return true;
    }

    private void uncount(String userId) {
        held.decrementAndGet();
        heldByUser.computeIfPresent(userId, (user, count) -> count <= 1 ? null : count - 1);
    }

    private void recount(String userId) {
        held.incrementAndGet();
        heldByUser.merge(userId, 1, Integer::sum);
    }

    /** One socket's place in the counts; {@link #release()} is idempotent. */
    public final class Slot {
        private static final int RESERVED = 0;
        private static final int CLAIMED = 1;
        private static final int ABANDONED = 2;
        private static final int RELEASED = 3;

        private final String userId;
        private final long reservedAt;
        private final AtomicInteger state = new AtomicInteger(RESERVED);

        private Slot(String userId, long reservedAt) {
            this.userId = userId;
            this.reservedAt = reservedAt;
        }

        public String userId() {
            return userId;
        }

        /** The socket opened: the slot is held until {@link #release()}. */
        public void claim() {
            unclaimed.remove(this);
            if (state.compareAndSet(ABANDONED, CLAIMED)) {
                // Released as abandoned before its socket opened (a handshake slower than the claim timeout): the
                // socket is real, so it is counted again, even past a cap, to keep the counts true.
                recount(userId);
            } else {
                state.compareAndSet(RESERVED, CLAIMED);
            }
        }

        /** The socket closed, or its upgrade failed. */
        public void release() {
            unclaimed.remove(this);
            int before = state.getAndSet(RELEASED);
            if (before == RESERVED || before == CLAIMED) {
                uncount(userId);
            }
        }

        private void abandon() {
            unclaimed.remove(this);
            if (state.compareAndSet(RESERVED, ABANDONED)) {
                uncount(userId);
            }
        }
    }
}
