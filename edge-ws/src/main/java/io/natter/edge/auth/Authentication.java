package io.natter.edge.auth;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;

/** Guards {@code /api/*} and the {@code /ws} upgrade: a refused token is a 401 before any handler or upgrade runs. */
public final class Authentication {
    private static final String USER_ATTRIBUTE = "natter.user";

    private final JwtAuthenticator authenticator;

    public Authentication(JwtAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Installs the checks; failures throw {@link io.natter.edge.error.UnauthorizedException}, mapped to 401 JSON. */
    public void register(RoutesConfig routes, String apiPath, String wsPath) {
        routes.before(apiPath, this::authenticate);
        routes.wsBeforeUpgrade(wsPath, this::authenticate);
    }

    private void authenticate(Context ctx) {
        String token = BearerToken.from(ctx.header("Authorization"), ctx.queryParam(BearerToken.QUERY_PARAMETER));
        ctx.attribute(USER_ATTRIBUTE, authenticator.authenticate(token));
    }

    /** The user verified for this request. */
    public static AuthenticatedUser user(Context ctx) {
        return required(ctx.attribute(USER_ATTRIBUTE));
    }

    /** The user verified at this socket's upgrade. */
    public static AuthenticatedUser user(WsContext ctx) {
        return required(ctx.attribute(USER_ATTRIBUTE));
    }

    private static AuthenticatedUser required(Object user) {
        if (user instanceof AuthenticatedUser authenticated) {
            return authenticated;
        }
        throw new IllegalStateException("request passed no authentication check");
    }
}
