package io.natter.edge.rooms;

import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;

/** Builds the {@link RoomCommand} envelope for a payload, stamped with this node as origin. */
public final class RoomCommands {
    private final String nodeId;
    private final Envelopes envelopes;

    public RoomCommands(String nodeId, Envelopes envelopes) {
        this.nodeId = nodeId;
        this.envelopes = envelopes;
    }

    /** The command {@code actorId} issues from {@code sessionId} (null for REST). */
    public RoomCommand command(String commandId, String actorId, String sessionId, Object payload) {
        return RoomCommand.newBuilder()
                .setEventType(eventType(payload))
                .setEventId(envelopes.newEventId())
                .setOccurredAt(envelopes.now())
                .setRegion(envelopes.region())
                .setSchemaVersion(Envelopes.SCHEMA_VERSION)
                .setCommandId(commandId)
                .setActorId(actorId)
                .setOrigin(new Origin(nodeId, sessionId))
                .setPayload(payload)
                .build();
    }

    private static String eventType(Object payload) {
        return switch (payload) {
            case SendMessageRequested p -> "chat.message.send.requested.v1";
            case EditMessageRequested p -> "chat.message.edit.requested.v1";
            case DeleteMessageRequested p -> "chat.message.delete.requested.v1";
            case CreateRoomRequested p -> "chat.room.create.requested.v1";
            case JoinRoomRequested p -> "chat.room.join.requested.v1";
            case LeaveRoomRequested p -> "chat.room.leave.requested.v1";
            case AddMemberRequested p -> "chat.room.member.add.requested.v1";
            default -> throw new IllegalArgumentException("not a command payload the edge issues: " + payload);
        };
    }
}
