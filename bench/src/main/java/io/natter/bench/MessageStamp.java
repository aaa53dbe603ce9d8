package io.natter.bench;

/**
 * What a message carries for the generator: its ledger id (or none, for a warm-up message) and the sender's
 * {@code System.nanoTime()} when it wrote the frame, at the start of {@code content} as {@code id:nanos:},
 * padded to the wanted size; and the matching {@code clientMsgId}, so an ACK or ERROR finds its message.
 */
record MessageStamp(long id, long sentNanos) {
    static final long WARMUP = -1;
    private static final String WARMUP_ID = "w";
    private static final String WINDOW_PREFIX = "m";

    boolean warmup() {
        return id == WARMUP;
    }

    /** The content: header then {@code x} up to {@code bytes} (never shorter than the header). */
    String content(int bytes) {
        String header = (warmup() ? WARMUP_ID : Long.toString(id)) + ":" + sentNanos + ":";
        return header.length() >= bytes ? header : header + "x".repeat(bytes - header.length());
    }

    /** The clientMsgId: {@code m<id>} in the window; {@code w<client>-<n>} in the warm-up (unique per sender). */
    String clientMsgId(int client, long n) {
        return warmup() ? WARMUP_ID + client + "-" + n : WINDOW_PREFIX + id;
    }

    /** Reads a content written by {@link #content}; null if it is not one. */
    static MessageStamp parseContent(String content) {
        if (content == null) {
            return null;
        }
        int first = content.indexOf(':');
        int second = first < 0 ? -1 : content.indexOf(':', first + 1);
        if (second < 0) {
            return null;
        }
        try {
            String id = content.substring(0, first);
            long nanos = Long.parseLong(content, first + 1, second, 10);
            return new MessageStamp(id.equals(WARMUP_ID) ? WARMUP : Long.parseLong(id), nanos);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The ledger id named by a window clientMsgId, or {@link #WARMUP} for a warm-up one or anything else. */
    static long idOfClientMsgId(String clientMsgId) {
        if (clientMsgId == null || !clientMsgId.startsWith(WINDOW_PREFIX)) {
            return WARMUP;
        }
        try {
            return Long.parseLong(clientMsgId, 1, clientMsgId.length(), 10);
        } catch (NumberFormatException e) {
            return WARMUP;
        }
    }
}
