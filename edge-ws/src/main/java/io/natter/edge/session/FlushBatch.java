package io.natter.edge.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The sessions that were handed frames in batch mode since the last {@link #flush}: the fan-out thread queues every
 * copy of one poll's records, then writes each socket once, so a client with several frames in the poll costs one
 * socket write (and wakes its reader once) instead of one per frame. Confined to the thread that owns it.
 */
public final class FlushBatch {
    // The batch that replies sent on this thread join (see collecting); null outside of it.
    private static final ThreadLocal<FlushBatch> COLLECTING = new ThreadLocal<>();

    // Sessions compare by identity; first handed a frame, first written.
    private final Set<ClientSession> pending = new LinkedHashSet<>();

    /**
     * Runs {@code action} so that every frame a session sends on this thread meanwhile ({@link ClientSession#send(String)})
     * joins this batch: the answers a verdict completes synchronously (a send's ACK) go out with the poll's copies
     * in one socket write, in the order they were sent, instead of one write each.
     */
    public void collecting(Runnable action) {
        FlushBatch outer = COLLECTING.get();
        COLLECTING.set(this);
        try {
            action.run();
        } finally {
            COLLECTING.set(outer);
        }
    }

    /** The batch collecting this thread's frames, or null. */
    static FlushBatch collectingOnThisThread() {
        return COLLECTING.get();
    }

    /** Remembers {@code session} for the next flush (once, however many frames it was handed). */
    void add(ClientSession session) {
        pending.add(session);
    }

    /** Writes out every remembered session's queued frames. */
    public void flush() {
        for (ClientSession session : pending) {
            session.flush();
        }
        pending.clear();
    }
}
