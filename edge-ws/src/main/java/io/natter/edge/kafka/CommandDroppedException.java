package io.natter.edge.kafka;

/** A command that waited for Kafka and was given up without being written: its sender should resend it. */
public final class CommandDroppedException extends RuntimeException {
    /** Why the command was given up. */
    public enum Reason {
        /** The outage buffer was full and this was its oldest command. */
        BUFFER_FULL,
        /** It waited longer than the outage buffer's maximum wait. */
        WAITED_TOO_LONG,
        /** The edge shut down while Kafka was unreachable. */
        SHUTDOWN
    }

    private final Reason reason;

    CommandDroppedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
