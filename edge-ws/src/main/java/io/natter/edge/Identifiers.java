package io.natter.edge;

/**
 * The rule every client-supplied id (room, user, clientMsgId, a frame's id) must meet: non-blank, at most 128
 * characters, no control character and no unpaired surrogate.
 */
public final class Identifiers {
    public static final int MAX_LENGTH = 128;

    private Identifiers() {}

    /** Why {@code value} is not a valid id for {@code field}, or null when it is. */
    public static String problem(String field, String value) {
        if (value == null || value.isBlank()) {
            return field + " is required";
        }
        if (value.length() > MAX_LENGTH) {
            return field + " is longer than " + MAX_LENGTH + " characters";
        }
        return MessageText.problemInId(field, value);
    }
}
