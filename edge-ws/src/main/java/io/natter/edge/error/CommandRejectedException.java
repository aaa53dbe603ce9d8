package io.natter.edge.error;

/** The topology refused a room command; {@code code} is its stable rejection code (ROOM_EXISTS, ...). */
public final class CommandRejectedException extends EdgeException {
    public CommandRejectedException(String code, String message) {
        super(code, message, null);
    }
}
