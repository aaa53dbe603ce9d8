package io.natter.topologies;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.RoomState;

/** What the judge decided about one room command. */
public sealed interface Outcome {

    /** The command was refused; the room's state is unchanged. */
    record Rejected(RejectionCode code, String reason) implements Outcome {}

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
}
