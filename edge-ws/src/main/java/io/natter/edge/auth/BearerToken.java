package io.natter.edge.auth;

/** Finds the token of a request: {@code Authorization: Bearer ...} first, else the {@code access_token} query parameter (browsers cannot set WebSocket headers). */
public final class BearerToken {
    /** Query parameter carrying the token when no header can be set. */
    public static final String QUERY_PARAMETER = "access_token";
    private static final String SCHEME = "bearer ";

    private BearerToken() {}

    /** The token, or null when neither source carries one. */
    public static String from(String authorizationHeader, String queryParameter) {
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return authorizationHeader.substring(SCHEME.length()).trim();
        }
        return queryParameter;
    }
}
