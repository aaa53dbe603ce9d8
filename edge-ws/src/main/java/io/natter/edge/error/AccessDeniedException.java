package io.natter.edge.error;

/**
 * The caller may not read a room: {@code NOT_A_MEMBER} for a public room it is not in, {@code ROOM_NOT_FOUND}
 * for a missing room or a private one it is not in (so a guessed id reveals nothing).
 */
public final class AccessDeniedException extends EdgeException {
    private AccessDeniedException(String code, String message) {
        super(code, message, null);
    }

    /** The room is public and the caller is not a member. */
    public static AccessDeniedException notAMember(String roomId) {
        return new AccessDeniedException("NOT_A_MEMBER", "not a member of room " + roomId);
    }

    /** The room does not exist, or is private and the caller is not a member. */
    public static AccessDeniedException roomNotFound(String roomId) {
        return new AccessDeniedException("ROOM_NOT_FOUND", "no room " + roomId);
    }
}
