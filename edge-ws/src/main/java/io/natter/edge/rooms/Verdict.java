package io.natter.edge.rooms;

/** The topology accepted a command: plainly ({@link Done}) or by sequencing a message ({@link Sequenced}). */
public sealed interface Verdict {
    /** The command took effect (membership change, edit, delete). */
    record Done() implements Verdict {}

    /**
     * The send was sequenced as {@code messageId} at {@code seq} of the room's {@code epoch} (now or, when
     * {@code duplicate}, earlier: a retry answered with the original).
     */
    record Sequenced(String messageId, long seq, int epoch, boolean duplicate) implements Verdict {
        public Sequenced(String messageId, long seq) {
            this(messageId, seq, 0, false);
        }
    }
}
