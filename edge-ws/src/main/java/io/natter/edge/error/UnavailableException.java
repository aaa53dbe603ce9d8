package io.natter.edge.error;

/** Kafka refused or could not take a command. */
public final class UnavailableException extends EdgeException {
    public UnavailableException(String message, Throwable cause) {
        super("UNAVAILABLE", message, cause);
    }
}
