package io.natter.mirrormaker.client;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The record header in which Natter's MirrorMaker stamps each mirrored record with its offset in the source
 * region's topic (same partition number), so a reader of the target cluster can tell how far a source partition
 * has been replicated. MirrorMaker itself keeps no per-record link: its offset syncs are sparse.
 */
public final class UpstreamOffsets {
    /** Header name; the value is the source offset as an 8-byte big-endian long. */
    public static final String HEADER = "natter.mm2.upstream-offset";

    private UpstreamOffsets() {}

    /** The header value for {@code offset}. */
    public static byte[] encode(long offset) {
        return ByteBuffer.allocate(Long.BYTES).putLong(offset).array();
    }

    /** The source offset stamped on a mirrored record, or empty when the record carries no (valid) stamp. */
    public static OptionalLong decode(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null || header.value().length != Long.BYTES) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(header.value()).getLong());
    }
}
