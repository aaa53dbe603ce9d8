package io.natter.edge.session;

/** Where a session's outgoing text goes: the WebSocket, or a list in tests. */
@FunctionalInterface
public interface FrameSink {
    /** Queues {@code text} for the client without blocking on the network. */
    void sendText(String text);

    /** Queues {@code text} and runs {@code written} once the socket wrote it out or failed to; at once by default. */
    default void sendText(String text, Runnable written) {
        sendText(text);
        written.run();
    }

    /** Closes the connection with {@code code} and {@code reason}; nothing by default (tests). */
    default void close(int code, String reason) { }
}
