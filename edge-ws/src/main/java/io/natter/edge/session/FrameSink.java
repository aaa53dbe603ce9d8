package io.natter.edge.session;

/** Where a session's outgoing text goes: the WebSocket, or a list in tests. */
@FunctionalInterface
public interface FrameSink {
    /** Queues {@code text} for the client without blocking on the network. */
    void sendText(String text);

    /**
     * Queues {@code frame} and runs {@code written} once the socket wrote it out or failed to (for a batched frame:
     * once it joined the socket's batch); {@code batched} frames may wait for {@link #flush}. By default at once.
     */
    default void send(EncodedFrame frame, Runnable written, boolean batched) {
        sendText(frame.text());
        written.run();
    }

    /** Writes out the batched frames; nothing to do by default. */
    default void flush() { }

    /** Closes the connection with {@code code} and {@code reason}; nothing by default (tests). */
    default void close(int code, String reason) { }
}
