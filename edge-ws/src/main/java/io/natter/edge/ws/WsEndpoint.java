package io.natter.edge.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.Counter;
import io.natter.edge.admission.Admission;
import io.natter.edge.admission.ConnectionLimits;
import io.natter.edge.auth.Authentication;
import io.natter.edge.session.ClientSession;
import io.natter.edge.session.EncodedFrame;
import io.natter.edge.session.FrameSink;
import io.natter.edge.session.OutboundQueue;
import io.natter.edge.session.SessionPresence;
import io.natter.edge.session.SessionRegistry;
import io.natter.edge.session.UserRateLimits;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code /ws} endpoint: registers each authenticated socket as a session and hands its frames to {@link FrameHandler}. */
public final class WsEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);
    /** Query parameter carrying a RESUME's {@code rooms} object (URL-encoded JSON), applied before any live frame. */
    public static final String RESUME_PARAMETER = "resume";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionRegistry sessions;
    private final SessionPresence presence;
    private final FrameHandler frames;
    private final Outbound outbound;
    private final UserRateLimits writeLimits;
    private final TokenWatch tokens;
    private final Map<String, WsContext> sockets = new ConcurrentHashMap<>();

    /** Each connection's outbound bound and the counters its queue reports to. */
    public record Outbound(int maxFrames, long maxBytes, Counter dropped, Counter slowConsumerCloses) {
        OutboundQueue newQueue() {
            return new OutboundQueue(maxFrames, maxBytes, dropped, slowConsumerCloses);
        }
    }

    public WsEndpoint(SessionRegistry sessions, SessionPresence presence, FrameHandler frames, Outbound outbound,
            UserRateLimits writeLimits, TokenWatch tokens) {
        this.sessions = sessions;
        this.presence = presence;
        this.frames = frames;
        this.outbound = outbound;
        this.writeLimits = writeLimits;
        this.tokens = tokens;
    }

    public void register(RoutesConfig routes, String path) {
        routes.ws(path, ws -> {
            ws.onConnect(ctx -> {
                Admission.slot(ctx).ifPresent(ConnectionLimits.Slot::claim);
                sockets.put(ctx.sessionId(), ctx);
                ClientSession session = new ClientSession(ctx.sessionId(), Authentication.user(ctx).userId(),
                        new SocketSink(ctx), outbound.newQueue());
                // A RESUME given at the handshake holds each room's live frames before the session can receive any,
                // so the replay comes strictly before them; a RESUME frame can only race the first live frames.
                String resume = ctx.queryParam(RESUME_PARAMETER);
                if (resume != null) {
                    frames.handle(session, resumeFrame(resume));
                }
                sessions.add(session);
                tokens.watch(ctx.sessionId(), Authentication.user(ctx), ctx::closeSession);
                presence.connected(session);
            });
            ws.onMessage(ctx -> sessions.session(ctx.sessionId()).ifPresentOrElse(
                    session -> frames.handle(session, ctx.message()),
                    () -> log.warn("frame on unregistered socket {} dropped", ctx.sessionId())));
            ws.onBinaryMessage(ctx -> sessions.session(ctx.sessionId()).ifPresent(frames::handleBinary));
            ws.onClose(this::closed);
            ws.onError(ctx -> {
                log.debug("socket {} failed", ctx.sessionId(), ctx.error());
                closed(ctx);
            });
        });
    }

    /**
     * Asks every socket open now to close with {@code code} and {@code reason} (each once: a socket asked before is
     * not asked again); returns how many were asked.
     */
    public int closeAll(int code, String reason) {
        int asked = 0;
        for (Map.Entry<String, WsContext> socket : sockets.entrySet()) {
            if (sockets.remove(socket.getKey(), socket.getValue())) {
                socket.getValue().closeSession(code, reason);
                asked++;
            }
        }
        return asked;
    }

    /** Sockets open and not yet asked to close by {@link #closeAll}. */
    public int openSockets() {
        return sockets.size();
    }

    /** Forgets a closed socket (an error may be followed by a close: the second call finds nothing). */
    private void closed(WsContext ctx) {
        String sessionId = ctx.sessionId();
        sockets.remove(sessionId);
        Admission.slot(ctx).ifPresent(ConnectionLimits.Slot::release);
        tokens.forget(sessionId);
        sessions.session(sessionId).ifPresent(session -> {
            sessions.remove(sessionId);
            presence.disconnected(session);
            if (sessions.sessionsOf(session.userId()).isEmpty()) {
                writeLimits.forgetIfIdle(session.userId());
            }
        });
    }

    /** The RESUME frame for the handshake parameter, built as a tree so the parameter cannot add other fields. */
    static String resumeFrame(String rooms) {
        ObjectNode frame = JSON.createObjectNode().put("type", "RESUME");
        try {
            var parsed = JSON.readTree(rooms);
            if (parsed != null && !parsed.isMissingNode()) {
                frame.set("rooms", parsed);
                return frame.toString();
            }
        } catch (JsonProcessingException e) {
            // Falls through: the codec answers a non-object rooms with INVALID_FRAME, like any bad RESUME.
        }
        return frame.put("rooms", rooms).toString();
    }

    /**
     * Writes to the socket without blocking, through Jetty's core session: it takes the frame's shared UTF-8 bytes
     * as they are, and can batch (the API session's sendText encodes each copy again and always writes at once).
     * Jetty's callback tells the session's outbound queue when a frame left, or joined the socket's batch buffer.
     */
    private record SocketSink(WsContext ctx, CoreSession core) implements FrameSink {
        SocketSink(WsContext ctx) {
            this(ctx, ((WebSocketSession) ctx.session).getCoreSession());
        }

        @Override
        public void sendText(String text) {
            send(EncodedFrame.of(text), () -> { }, false);
        }

        @Override
        public void send(EncodedFrame frame, Runnable written, boolean batched) {
            if (!core.isOutputOpen()) {
                written.run();
                return;
            }
            // A failed write means the socket is going away; its close handler cleans up.
            core.sendFrame(new Frame(OpCode.TEXT, true, ByteBuffer.wrap(frame.utf8())),
                    Callback.from(written, error -> {
                        written.run();
                        log.debug("send to {} failed: {}", ctx.sessionId(), error.toString());
                    }), batched);
        }

        @Override
        public void flush() {
            core.flush(Callback.NOOP);
        }

        @Override
        public void close(int code, String reason) {
            log.info("closing socket {} as a slow consumer", ctx.sessionId());
            ctx.closeSession(code, reason);
        }
    }
}
