package io.natter.topologies;

/** Stable reason codes of a refused room command, written as {@code Rejection.code}. */
public enum RejectionCode {
    ROOM_EXISTS,
    /** The room does not exist, or it is private and the caller is not a member (existence stays hidden). */
    ROOM_NOT_FOUND,
    NOT_A_MEMBER,
    NOT_ROOM_OWNER,
    /** An idempotent no-op: the edge answers it as a success. */
    ALREADY_MEMBER,
    OWNER_CANNOT_LEAVE,
    UNSUPPORTED_COMMAND
}
