package io.natter.topologies;

/**
 * Keys of the per-room stores. A NUL separates the parts (ids never contain it), and seqs are zero-padded to
 * 19 digits, so a room's entries are one contiguous, seq-ordered range of the byte-ordered store.
 */
public final class StoreKeys {
    private static final char SEPARATOR = '\u0000';
    private static final int SEQ_DIGITS = 19;

    private StoreKeys() {}

    /** {@code send-receipts} key of one send. */
    public static String receipt(String roomId, String senderId, String clientMsgId) {
        return roomId + SEPARATOR + senderId + SEPARATOR + clientMsgId;
    }

    /** {@code room-history} key of the message {@code seq} of a room; {@code seq} is at least 0. */
    public static String history(String roomId, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
        String digits = Long.toString(seq);
        return roomId + SEPARATOR + "0".repeat(SEQ_DIGITS - digits.length()) + digits;
    }

    /** First possible {@code room-history} key of a room. */
    public static String historyStart(String roomId) {
        return history(roomId, 0);
    }

    /** Last possible {@code room-history} key of a room. */
    public static String historyEnd(String roomId) {
        return history(roomId, Long.MAX_VALUE);
    }

    /** The seq a {@code room-history} key names. */
    public static long seqOf(String historyKey) {
        return Long.parseLong(historyKey.substring(historyKey.length() - SEQ_DIGITS));
    }

    /** {@code room-attachments} key of an attachment registered for a room. */
    public static String attachment(String roomId, String attachmentId) {
        return roomId + SEPARATOR + attachmentId;
    }
}
