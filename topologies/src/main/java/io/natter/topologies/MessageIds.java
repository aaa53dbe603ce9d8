package io.natter.topologies;

import java.util.UUID;

/**
 * Message ids that name their seq: a version-8 UUID (RFC 9562, vendor-specific) whose first 48 bits are the seq and
 * whose other 74 bits are random, so an edit or deletion finds its message with one point lookup, with no
 * message-id index to write and trim per send. Ids of other shapes (version-4 UUIDs of messages sequenced before
 * ids carried their seq, or a test's ids) are found by a scan of the room's retained history.
 */
final class MessageIds {
    /** The largest seq an id can carry; rooms beyond it get random (version-4) ids. */
    static final long MAX_SEQ = (1L << 48) - 1;
    private static final int VERSION = 8;

    private MessageIds() {}

    /** A new id for the message {@code seq}: unique across rooms (74 random bits from {@link UUID#randomUUID}). */
    static String forSeq(long seq) {
        UUID random = UUID.randomUUID();
        if (seq < 0 || seq > MAX_SEQ) {
            return random.toString();
        }
        // Keep the random 12 bits after the version nibble and all 64 low bits (their variant bits are RFC 4122's).
        long high = (seq << 16) | ((long) VERSION << 12) | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(high, random.getLeastSignificantBits()).toString();
    }

    /** The seq {@code messageId} names, or -1 when it is not an id of {@link #forSeq}. */
    static long seqOf(String messageId) {
        // A canonical UUID is 36 characters; UUID.fromString accepts shorter groups, which forSeq never writes.
        if (messageId == null || messageId.length() != 36) {
            return -1;
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(messageId);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        if (uuid.version() != VERSION || uuid.variant() != 2) {
            return -1;
        }
        return uuid.getMostSignificantBits() >>> 16;
    }
}
