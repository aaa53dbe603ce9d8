package io.natter.edge.presence;

/** Redis cannot answer a presence read right now; messaging is unaffected. */
public final class PresenceUnavailableException extends RuntimeException {
    public PresenceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
