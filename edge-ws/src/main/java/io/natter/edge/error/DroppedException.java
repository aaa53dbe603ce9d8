package io.natter.edge.error;

/** A room write waited in the outage buffer while Kafka was unreachable and was given up unwritten: send it again. */
public final class DroppedException extends EdgeException {
    public DroppedException(String message, Throwable cause) {
        super("DROPPED", message, cause);
    }
}
