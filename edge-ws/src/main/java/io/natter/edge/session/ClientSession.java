package io.natter.edge.session;

import java.util.concurrent.locks.ReentrantLock;

/** One open WebSocket on this node: its id, its authenticated user, and a serialized outgoing path. */
public final class ClientSession {
    private final String sessionId;
    private final String userId;
    private final FrameSink sink;
    // Fan-out, ACKs and replies reach a session from several threads; one writer at a time keeps their order.
    private final ReentrantLock sendLock = new ReentrantLock();
    private final RoomStreams streams = new RoomStreams();

    public ClientSession(String sessionId, String userId, FrameSink sink) {
        this.sessionId = sessionId;
        this.userId = userId;
        this.sink = sink;
    }

    public String sessionId() {
        return sessionId;
    }

    public String userId() {
        return userId;
    }

    /** The per-room delivery cursors of this session. */
    public RoomStreams streams() {
        return streams;
    }

    /** Sends an encoded frame; frames sent by one thread arrive in that order, never interleaved. */
    public void send(String text) {
        sendLock.lock();
        try {
            sink.sendText(text);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ClientSession[" + sessionId + ", user=" + userId + "]";
    }
}
