package io.natter.edge.rooms;

/** The topology accepted a command: plainly ({@link Done}) or by sequencing a message ({@link Sequenced}). */
public sealed interface Verdict {
    /** The command took effect (membership change, edit, delete). */
    record Done() implements Verdict {}

    /** The send was sequenced as {@code messageId} at {@code seq} (now or, for a DUPLICATE, earlier). */
    record Sequenced(String messageId, long seq) implements Verdict {}
}
