package io.natter.topologies;

import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendReceipt;

/** What the judge decided about one room command. */
public sealed interface Outcome {

    /** The command was refused; the room's state is unchanged. */
    record Rejected(RejectionCode code, String reason) implements Outcome {}

    /** The send repeats one already accepted as {@code original}; nothing new is written. */
    record Duplicate(SendReceipt original) implements Outcome {}

    /** The command was accepted and the room now has {@link #state()}. */
    sealed interface Accepted extends Outcome {
        RoomState state();
    }

    /** A new room came into being. */
    record Created(RoomState state) implements Accepted {}

    /** {@code userId} became a member, by self-join or added by {@code addedBy}. */
    record Joined(RoomState state, String userId, String addedBy) implements Accepted {}

    /** {@code userId} left the room. */
    record Left(RoomState state, String userId) implements Accepted {}

    /** A message was sequenced. */
    record Sent(RoomState state, ChatMessage message) implements Accepted {}

    /** A message's content was replaced; {@code entry} is its new history entry. The room state is unchanged. */
    record Edited(RoomState state, HistoryEntry entry, MessageEdit edit) implements Accepted {}

    /** A message was deleted; {@code entry} keeps its seq with empty content. The room state is unchanged. */
    record Deleted(RoomState state, HistoryEntry entry, MessageDeletion deletion) implements Accepted {}

    /** A verified upload became available to the sends of its room. */
    record AttachmentRegistered(AttachmentMetadata attachment) implements Outcome {}

    /** The attachment was already registered: the first registration stands and nothing is written. */
    record AttachmentAlreadyRegistered(AttachmentMetadata existing) implements Outcome {}

    /** Later sends may no longer name the attachment (a no-op if it was not registered). */
    record AttachmentRemoved(String roomId, String attachmentId) implements Outcome {}

    /**
     * The room moved home from {@code previousHome} to {@code state.homeRegion} under {@code state.epoch};
     * its next message gets {@code state.epochFromSeq}.
     */
    record Rehomed(RoomState state, String previousHome) implements Accepted {}
}
