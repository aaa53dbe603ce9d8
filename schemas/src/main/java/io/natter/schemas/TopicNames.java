package io.natter.schemas;

import java.util.List;

/** Names of Natter's topics, for tools (topic creation, ACLs, MirrorMaker filters) that need no serdes. */
public final class TopicNames {
    public static final String ROOM_MEMBERSHIP = "chat.room.membership.v1";
    public static final String MESSAGE_REQUESTED = "chat.message.requested.v1";
    public static final String MESSAGE_SENT = "chat.message.sent.v1";
    public static final String MESSAGE_EDITED = "chat.message.edited.v1";
    public static final String MESSAGE_DELETED = "chat.message.deleted.v1";
    public static final String MESSAGE_REJECTED = "chat.message.rejected.v1";
    public static final String FANOUT = "chat.fanout.v1";
    public static final String ATTACHMENT_UPLOADED = "chat.attachment.uploaded.v1";
    public static final String MESSAGE_FLAGGED = "chat.message.flagged.v1";
    /**
     * Operator declarations of region status (compacted, key region). Per-cluster state, deliberately not in
     * {@link #ALL}: it is never mirrored (each region's operators declare what they see) and the topologies create
     * it compacted at start-up.
     */
    public static final String REGION_STATUS = "chat.region.status.v1";

    /** Every chat topic Natter reads or writes and MirrorMaker replicates, in creation order ({@link #REGION_STATUS} aside). */
    public static final List<String> ALL = List.of(ROOM_MEMBERSHIP, MESSAGE_REQUESTED, MESSAGE_SENT, MESSAGE_EDITED,
            MESSAGE_DELETED, MESSAGE_REJECTED, FANOUT, ATTACHMENT_UPLOADED, MESSAGE_FLAGGED);

    private TopicNames() {}
}
