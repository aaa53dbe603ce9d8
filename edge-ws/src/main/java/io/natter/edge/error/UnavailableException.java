package io.natter.edge.error;

/**
 * A backend could not serve the request: Kafka did not take a command, the topology query API did not answer
 * ({@code UNAVAILABLE}), Redis cannot serve presence ({@code PRESENCE_UNAVAILABLE}; messaging is unaffected), or a
 * sequenced send could not be confirmed on the peer region's cluster in time ({@code NOT_REPLICATED}).
 */
public final class UnavailableException extends EdgeException {
    public UnavailableException(String message, Throwable cause) {
        this("UNAVAILABLE", message, cause);
    }

    public UnavailableException(String message) {
        this(message, null);
    }

    private UnavailableException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }

    /** Presence (Redis) cannot answer right now. */
    public static UnavailableException presence(String message, Throwable cause) {
        return new UnavailableException("PRESENCE_UNAVAILABLE", message, cause);
    }

    /** A send was sequenced but is not confirmed on the peer region's cluster (replicated ack level). */
    public static UnavailableException notReplicated(String message, Throwable cause) {
        return new UnavailableException("NOT_REPLICATED", message, cause);
    }
}
