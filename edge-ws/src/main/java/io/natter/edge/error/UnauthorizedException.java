package io.natter.edge.error;

/** The request carries no token, or one that fails verification. */
public final class UnauthorizedException extends EdgeException {
    public UnauthorizedException(String message) {
        this(message, null);
    }

    public UnauthorizedException(String message, Throwable cause) {
        super("UNAUTHORIZED", message, cause);
    }
}
