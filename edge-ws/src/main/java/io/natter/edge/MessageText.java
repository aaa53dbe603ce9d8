package io.natter.edge;

/**
 * The rule for text users write for others to read (message content, room names): valid Unicode with no control
 * character (general category Cc: C0, DEL, C1) but tab, line feed and carriage return. Everything else, markup and
 * scripts included, is data, stored and delivered as sent.
 */
public final class MessageText {
    private MessageText() {}

    /** Why {@code value} (non-null) breaks the rule for {@code field}, or null when it is fine. */
    public static String problem(String field, String value) {
        return problem(field, value, true);
    }

    /** As {@link #problem(String, String)}, but refusing tab, LF and CR too: the rule for ids. */
    public static String problemInId(String field, String value) {
        return problem(field, value, false);
    }

    private static String problem(String field, String value, boolean lineControls) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // An unpaired surrogate has no UTF-8 form: Kafka would store it as '?', so the message would change.
                return field + " has an unpaired surrogate " + codePoint(c) + " at index " + i;
            } else if (Character.getType(c) == Character.CONTROL && !(lineControls && (c == '\t' || c == '\n' || c == '\r'))) {
                return field + " has the control character " + codePoint(c) + " at index " + i;
            }
        }
        return null;
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
