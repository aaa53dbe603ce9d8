package io.natter.edge.ws;

import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.natter.edge.auth.Authentication;
import io.natter.edge.session.ClientSession;
import io.natter.edge.session.SessionRegistry;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code /ws} endpoint: registers each authenticated socket as a session and hands its frames to {@link FrameHandler}. */
public final class WsEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);

    private final SessionRegistry sessions;
    private final FrameHandler frames;

    public WsEndpoint(SessionRegistry sessions, FrameHandler frames) {
        this.sessions = sessions;
        this.frames = frames;
    }

    public void register(RoutesConfig routes, String path) {
        routes.ws(path, ws -> {
            ws.onConnect(ctx -> sessions.add(new ClientSession(ctx.sessionId(),
                    Authentication.user(ctx).userId(), text -> sendAsync(ctx, text))));
            ws.onMessage(ctx -> sessions.session(ctx.sessionId()).ifPresentOrElse(
                    session -> frames.handle(session, ctx.message()),
                    () -> log.warn("frame on unregistered socket {} dropped", ctx.sessionId())));
            ws.onClose(ctx -> sessions.remove(ctx.sessionId()));
            ws.onError(ctx -> {
                log.debug("socket {} failed", ctx.sessionId(), ctx.error());
                sessions.remove(ctx.sessionId());
            });
        });
    }

    private static void sendAsync(WsContext ctx, String text) {
        if (!ctx.session.isOpen()) {
            return;
        }
        // A failed write means the socket is going away; its close handler cleans up.
        ctx.session.sendText(text, Callback.from(() -> { }, error ->
                log.debug("send to {} failed: {}", ctx.sessionId(), error.toString())));
    }
}
