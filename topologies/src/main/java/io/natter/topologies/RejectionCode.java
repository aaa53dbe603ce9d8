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
    /** A command the topology does not judge yet; not emitted at present, kept so the code stays stable. */
    UNSUPPORTED_COMMAND,
    /** This (senderId, clientMsgId) was already accepted; the rejection names the original messageId and seq. */
    DUPLICATE,
    /** Edit by someone other than the author, or delete by someone neither author nor room owner. */
    NOT_MESSAGE_AUTHOR,
    /** The message is not in the room's retained history, or was deleted. */
    MESSAGE_NOT_FOUND,
    /**
     * A send names an attachment that is not registered for its room: unknown, another room's, or removed
     * (which of these is not revealed).
     */
    ATTACHMENT_NOT_FOUND,
    /** A send names more than {@link RoomCommandJudge#MAX_ATTACHMENTS} attachments. */
    TOO_MANY_ATTACHMENTS,
    /** A send names the same attachment twice. */
    DUPLICATE_ATTACHMENT,
    /** A registration whose attachment belongs to another room than the command's; it is not registered. */
    ATTACHMENT_ROOM_MISMATCH,
    /** A re-home to a region that is neither this one nor a configured peer. */
    UNKNOWN_REGION,
    /** A re-home to the region that already is the room's home: nothing to do. */
    ALREADY_HOME,
    /**
     * This region was declared DOWN by a peer (it may have taken the room over), or declared UP again and this
     * region has not yet applied the peer's re-homes: nothing was judged; reconnect to the named peer region and
     * resend with the same clientMsgId.
     */
    REGION_FENCED
}
