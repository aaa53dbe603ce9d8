package io.natter.edge.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The sessions that were handed frames in batch mode since the last {@link #flush}: the fan-out thread queues every
 * copy of one poll's records, then writes each socket once, so a client with several frames in the poll costs one
 * socket write (and wakes its reader once) instead of one per frame. Confined to the thread that owns it.
 */
public final class FlushBatch {
    // Sessions compare by identity; first handed a frame, first written.
    private final Set<ClientSession> pending = new LinkedHashSet<>();

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
