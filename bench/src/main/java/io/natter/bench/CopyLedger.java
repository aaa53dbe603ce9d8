package io.natter.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Accounting of every message sent in the measured window and of each copy its room's members received: a message
 * the edge accepted (ACKed, or seen by anyone) owes one copy to each active member and each observer; what did not
 * arrive is lost, what arrived twice is a duplicate. Thread-safe: receivers on many threads record at once.
 */
final class CopyLedger {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MAX_CHUNKS = 1 << 15;

    /** What a receipt was. */
    enum Receipt {
        /** The first copy of this message for this receiver. */
        FIRST,
        /** This receiver already had it. */
        DUPLICATE,
        /** No such message in the ledger (sent outside the window, or not by this run). */
        UNKNOWN
    }

    /** A message's answer so far; TIMED_OUT is in doubt: the edge gave up waiting, the topology may still accept it. */
    private enum State { SENT, ACKED, REJECTED, TIMED_OUT }

    /** One message: who got it, and its answer. Guarded by itself. */
    private static final class Entry {
        final long sentNanos;
        final int activeMembers;
        final int senderSlot;
        final long[] received;
        int activeCopies;
        int observerCopies;
        State state = State.SENT;

        Entry(long sentNanos, int activeMembers, int senderSlot, int observers) {
            this.sentNanos = sentNanos;
            this.activeMembers = activeMembers;
            this.senderSlot = senderSlot;
            this.received = new long[(activeMembers + observers + 63) >>> 6];
        }
    }

    /** The totals: copies of accepted messages expected and received, per kind of receiver. */
    record Summary(long messages, long acked, long rejected, long timedOut, long unanswered, long accepted,
            long expectedCopies, long receivedCopies, long receivedByOthers, long lostCopies, long duplicateCopies,
            long observerExpected, long observerReceived, long observerLost, long observerDuplicates,
            long unknownCopies, long duplicateAnswers) {

        /**
         * Nothing more is coming: every message answered, none timed out without a copy (it may still be accepted),
         * and every copy of every accepted one received.
         */
        boolean settled() {
            return unanswered == 0 && timedOut == 0 && lostCopies == 0 && observerLost == 0;
        }
    }

    private final int observers;
    private final AtomicReferenceArray<AtomicReferenceArray<Entry>> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong observerDuplicates = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong duplicateAnswers = new AtomicLong();

    CopyLedger(int observers) {
        this.observers = observers;
    }

    /**
     * Registers a message sent at {@code sentNanos} by active member {@code senderSlot} of a room of
     * {@code activeMembers}; returns its id.
     */
    long register(long sentNanos, int activeMembers, int senderSlot) {
        long id = next.getAndIncrement();
        int chunkIndex = (int) (id >>> CHUNK_BITS);
        if (chunkIndex >= MAX_CHUNKS) {
            throw new IllegalStateException("more than " + (long) MAX_CHUNKS * CHUNK + " messages in one run");
        }
        AtomicReferenceArray<Entry> chunk = chunks.get(chunkIndex);
        if (chunk == null) {
            chunks.compareAndSet(chunkIndex, null, new AtomicReferenceArray<>(CHUNK));
            chunk = chunks.get(chunkIndex);
        }
        chunk.set((int) (id & (CHUNK - 1)), new Entry(sentNanos, activeMembers, senderSlot, observers));
        return id;
    }

    /** Records that active member {@code slot} of the message's room received message {@code id}. */
    Receipt receivedByMember(long id, int slot) {
        Entry entry = entry(id);
        if (entry == null || slot < 0 || slot >= entry.activeMembers) {
            unknown.incrementAndGet();
            return Receipt.UNKNOWN;
        }
        synchronized (entry) {
            if (!mark(entry, slot)) {
                duplicates.incrementAndGet();
                return Receipt.DUPLICATE;
            }
            entry.activeCopies++;
        }
        return Receipt.FIRST;
    }

    /** Records that observer {@code k} (a member of every room) received message {@code id}. */
    Receipt receivedByObserver(long id, int k) {
        Entry entry = entry(id);
        if (entry == null || k < 0 || k >= observers) {
            unknown.incrementAndGet();
            return Receipt.UNKNOWN;
        }
        synchronized (entry) {
            if (!mark(entry, entry.activeMembers + k)) {
                observerDuplicates.incrementAndGet();
                return Receipt.DUPLICATE;
            }
            entry.observerCopies++;
        }
        return Receipt.FIRST;
    }

    /** Records the message's ACK; returns its send time, or -1 for an unknown id or a repeated answer. */
    long acked(long id) {
        return answer(id, State.ACKED);
    }

    /** Records an ERROR refusing the message; returns its send time, or -1 for an unknown id or a repeat. */
    long rejected(long id) {
        return answer(id, State.REJECTED);
    }

    /**
     * Records an ERROR TIMEOUT: the edge stopped waiting for the verdict, but the command is in Kafka and may still
     * be accepted and delivered. Returns its send time, or -1 for an unknown id or a repeat.
     */
    long timedOut(long id) {
        return answer(id, State.TIMED_OUT);
    }

    /** The send time of message {@code id}, or -1 if unknown. */
    long sentNanos(long id) {
        Entry entry = entry(id);
        return entry == null ? -1 : entry.sentNanos;
    }

    long messages() {
        return next.get();
    }

    Summary summary() {
        long count = next.get();
        long acked = 0;
        long rejected = 0;
        long timedOut = 0;
        long unanswered = 0;
        long accepted = 0;
        long expected = 0;
        long received = 0;
        long byOthers = 0;
        long observerReceived = 0;
        for (long id = 0; id < count; id++) {
            Entry entry = entry(id);
            if (entry == null) {
                unanswered++;
                continue;
            }
            synchronized (entry) {
                boolean copied = entry.activeCopies + entry.observerCopies > 0;
                switch (entry.state) {
                    case ACKED -> acked++;
                    case REJECTED -> rejected++;
                    // A timed-out message somebody received was accepted after all; counted with the accepted below.
                    case TIMED_OUT -> timedOut += copied ? 0 : 1;
                    case SENT -> unanswered++;
                }
                received += entry.activeCopies;
                byOthers += entry.activeCopies - (isSet(entry, entry.senderSlot) ? 1 : 0);
                observerReceived += entry.observerCopies;
                // A message anyone received was accepted, whatever its answer said (a TIMEOUT, say).
                if (entry.state == State.ACKED || copied) {
                    accepted++;
                    expected += entry.activeMembers;
                }
            }
        }
        long observerExpected = accepted * observers;
        return new Summary(count, acked, rejected, timedOut, unanswered, accepted, expected, received, byOthers,
                expected - received,
                duplicates.get(), observerExpected, observerReceived, observerExpected - observerReceived,
                observerDuplicates.get(), unknown.get(), duplicateAnswers.get());
    }

    private long answer(long id, State state) {
        Entry entry = entry(id);
        if (entry == null) {
            unknown.incrementAndGet();
            return -1;
        }
        synchronized (entry) {
            if (entry.state != State.SENT) {
                duplicateAnswers.incrementAndGet();
                return -1;
            }
            entry.state = state;
            return entry.sentNanos;
        }
    }

    private static boolean mark(Entry entry, int bit) {
        long mask = 1L << (bit & 63);
        long word = entry.received[bit >>> 6];
        if ((word & mask) != 0) {
            return false;
        }
        entry.received[bit >>> 6] = word | mask;
        return true;
    }

    private static boolean isSet(Entry entry, int bit) {
        return (entry.received[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private Entry entry(long id) {
        if (id < 0 || id >= next.get()) {
            return null;
        }
        AtomicReferenceArray<Entry> chunk = chunks.get((int) (id >>> CHUNK_BITS));
        return chunk == null ? null : chunk.get((int) (id & (CHUNK - 1)));
    }
}
