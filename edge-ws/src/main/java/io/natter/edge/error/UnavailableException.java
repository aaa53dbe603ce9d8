package io.natter.edge.error;

/** A backend could not serve the request: Kafka did not take a command, or the topology query API did not answer. */
public final class UnavailableException extends EdgeException {
    public UnavailableException(String message, Throwable cause) {
        super("UNAVAILABLE", message, cause);
    }

    public UnavailableException(String message) {
        this(message, null);
    }
}
