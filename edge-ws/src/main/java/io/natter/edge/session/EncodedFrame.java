package io.natter.edge.session;

import java.nio.charset.StandardCharsets;

/**
 * A server frame's JSON and its UTF-8 bytes, encoded once and shared by every session it goes to; the bytes are
 * never written to, so sockets can send them concurrently.
 */
public record EncodedFrame(String text, byte[] utf8) {
    /** Encodes {@code text}. */
    public static EncodedFrame of(String text) {
        return new EncodedFrame(text, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Size on the wire (payload bytes), as the outbound bound counts it. */
    public int size() {
        return utf8.length;
    }
}
