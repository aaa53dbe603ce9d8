package io.natter.edge.session;

import io.micrometer.core.instrument.Counter;

/**
 * Accounting of one connection's frames handed to the socket but not yet written out: when a slow reader lets
 * them pile up, droppable frames (presence) go first, from half the bound on, so the rest of the bound is
 * kept for messages; a non-droppable frame that would breach the bound closes the connection (4008).
 */
public final class OutboundQueue {
    /** What to do with a frame. */
    public enum Admission {
        /** Send it; call {@link #written} when the socket is done with it. */
        SEND,
        /** Drop it (droppable, queue at least half full). */
        DROP,
        /** Close the connection as a slow consumer: this frame would breach the bound. */
        CLOSE,
        /** Already closed as a slow consumer: send nothing more. */
        CLOSED
    }

    private final int maxFrames;
    private final long maxBytes;
    private final Counter dropped;
    private final Counter closes;
    private int frames;
    private long bytes;
    private boolean closed;

    public OutboundQueue(int maxFrames, long maxBytes, Counter dropped, Counter closes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.dropped = dropped;
        this.closes = closes;
    }

    /** Decides on a frame of {@code size} bytes, counting it as queued when the answer is SEND. */
    public synchronized Admission admit(int size, boolean droppable) {
        if (closed) {
            return Admission.CLOSED;
        }
        // An empty queue always takes a frame, however large: a frame bigger than the bound is no slow reader.
        if (frames > 0) {
            if (droppable && (2L * (frames + 1) > maxFrames || 2 * (bytes + size) > maxBytes)) {
                dropped.increment();
                return Admission.DROP;
            }
            if (frames + 1 > maxFrames || bytes + size > maxBytes) {
                closed = true;
                closes.increment();
                return Admission.CLOSE;
            }
        }
        frames++;
        bytes += size;
        return Admission.SEND;
    }

    /** The socket finished (or failed) writing a frame of {@code size} bytes that was admitted. */
    public synchronized void written(int size) {
        frames--;
        bytes -= size;
    }

    /** Frames queued now. */
    public synchronized int frames() {
        return frames;
    }

    /** Bytes queued now. */
    public synchronized long bytes() {
        return bytes;
    }
}
