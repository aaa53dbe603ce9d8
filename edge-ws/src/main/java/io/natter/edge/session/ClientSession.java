package io.natter.edge.session;

import io.micrometer.core.instrument.noop.NoopCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.locks.ReentrantLock;

/** One open WebSocket on this node: its id, its authenticated user, and a serialized outgoing path. */
public final class ClientSession {
    /** Close code of a connection whose reader fell behind its outbound bound. */
    public static final int SLOW_CONSUMER_CLOSE_CODE = 4008;
    public static final String SLOW_CONSUMER_CLOSE_REASON = "slow consumer: resume from your last seq";

    private final String sessionId;
    private final String userId;
    private final FrameSink sink;
    private final OutboundQueue outbound;
    // Fan-out, ACKs and replies reach a session from several threads; one writer at a time keeps their order.
    private final ReentrantLock sendLock = new ReentrantLock();
    private final RoomStreams streams = new RoomStreams();

    /** A session with no outbound bound (tests). */
    public ClientSession(String sessionId, String userId, FrameSink sink) {
        this(sessionId, userId, sink, new OutboundQueue(Integer.MAX_VALUE, Long.MAX_VALUE,
                new NoopCounter(new Meter.Id("dropped", Tags.empty(), null, null, Meter.Type.COUNTER)),
                new NoopCounter(new Meter.Id("closes", Tags.empty(), null, null, Meter.Type.COUNTER))));
    }

    public ClientSession(String sessionId, String userId, FrameSink sink, OutboundQueue outbound) {
        this.sessionId = sessionId;
        this.userId = userId;
        this.sink = sink;
        this.outbound = outbound;
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
        send(EncodedFrame.of(text), false, null);
    }

    /** Sends a frame the client can do without (presence): the first to go when the client reads slowly. */
    public void sendDroppable(String text) {
        send(EncodedFrame.of(text), true, null);
    }

    /**
     * Sends {@code frame}; with a {@code batch} (not null) it may wait in the socket's buffer until the batch is
     * flushed, with the session's other frames of that batch, still in order with everything sent before and after.
     */
    public void send(EncodedFrame frame, FlushBatch batch) {
        send(frame, false, batch);
    }

    private void send(EncodedFrame frame, boolean droppable, FlushBatch batch) {
        int size = frame.size();
        sendLock.lock();
        try {
            switch (outbound.admit(size, droppable)) {
                case SEND -> {
                    sink.send(frame, () -> outbound.written(size), batch != null);
                    if (batch != null) {
                        batch.add(this);
                    }
                }
                case CLOSE -> sink.close(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_CLOSE_REASON);
                case DROP, CLOSED -> { } // counted by the queue; after a close the client resumes from its last seq
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** Writes out the frames batched for this session. */
    void flush() {
        sink.flush();
    }

    @Override
    public String toString() {
        return "ClientSession[" + sessionId + ", user=" + userId + "]";
    }
}
