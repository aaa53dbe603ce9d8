package io.natter.edge.error;

/** The topology's verdict on a command did not arrive within the request timeout. */
public final class RequestTimeoutException extends EdgeException {
    public RequestTimeoutException(String message) {
        super("TIMEOUT", message, null);
    }
}
