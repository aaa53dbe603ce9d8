package io.natter.edge.error;

/** A REST body that is not valid JSON or misses required fields. */
public final class InvalidRequestException extends EdgeException {
    public InvalidRequestException(String message) {
        super("INVALID_REQUEST", message, null);
    }
}
