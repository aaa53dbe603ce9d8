package io.natter.edge.session;

/** Where a session's outgoing text goes: the WebSocket, or a list in tests. */
@FunctionalInterface
public interface FrameSink {
    /** Queues {@code text} for the client without blocking on the network. */
    void sendText(String text);
}
