package io.natter.edge.error;

/** The messages a client asked for are older than the room's retained history; it must reload from {@code oldestSeq}. */
public final class HistoryTruncatedException extends EdgeException {
    private final long oldestSeq;

    public HistoryTruncatedException(String roomId, long afterSeq, long oldestSeq) {
        super("HISTORY_TRUNCATED", "room " + roomId + " no longer retains the messages after seq " + afterSeq
                + "; the oldest retained is " + oldestSeq, null);
        this.oldestSeq = oldestSeq;
    }

    /** The oldest seq the room still retains. */
    public long oldestSeq() {
        return oldestSeq;
    }
}
