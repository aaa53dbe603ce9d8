package io.natter.edge.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.natter.edge.auth.Authentication;
import io.micrometer.core.instrument.Counter;
import io.natter.edge.session.ClientSession;
import io.natter.edge.session.FrameSink;
import io.natter.edge.session.OutboundQueue;
import io.natter.edge.session.SessionPresence;
import io.natter.edge.session.SessionRegistry;
import io.natter.edge.session.UserRateLimits;
import org.eclipse.jetty.websocket.api.Callback;
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
            ws.onClose(ctx -> closed(ctx.sessionId()));
            ws.onError(ctx -> {
                log.debug("socket {} failed", ctx.sessionId(), ctx.error());
                closed(ctx.sessionId());
            });
        });
    }

    /** Forgets a closed socket (an error may be followed by a close: the second call finds nothing). */
    private void closed(String sessionId) {
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

    /** Writes to the socket without blocking; Jetty's callback tells the session's outbound queue when a frame left. */
    private record SocketSink(WsContext ctx) implements FrameSink {
        @Override
        public void sendText(String text) {
            sendText(text, () -> { });
        }

        @Override
        public void sendText(String text, Runnable written) {
            if (!ctx.session.isOpen()) {
                written.run();
                return;
            }
            // A failed write means the socket is going away; its close handler cleans up.
            ctx.session.sendText(text, Callback.from(written, error -> {
                written.run();
                log.debug("send to {} failed: {}", ctx.sessionId(), error.toString());
            }));
        }

        @Override
        public void close(int code, String reason) {
            log.info("closing socket {} as a slow consumer", ctx.sessionId());
            ctx.closeSession(code, reason);
        }
    }
}
