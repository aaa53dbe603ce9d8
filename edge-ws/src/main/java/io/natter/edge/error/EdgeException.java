package io.natter.edge.error;

/** A failure with a stable client-facing code; {@link ErrorMapper} turns each kind into HTTP or a WS frame. */
public abstract sealed class EdgeException extends RuntimeException
        permits UnauthorizedException, InvalidRequestException, CommandRejectedException, RequestTimeoutException,
        UnavailableException, AccessDeniedException, HistoryTruncatedException,
        RateLimitedException, DroppedException, RefusedException {

    private final String code;

    EdgeException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Stable error code, e.g. {@code NOT_A_MEMBER}. */
    public String code() {
        return code;
    }
}
