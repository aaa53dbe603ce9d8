package io.natter.mirrormaker;

import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.time.Instant;
import java.util.List;

/** Small, valid Natter events for the replication tests. */
final class ChatEvents {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private ChatEvents() {}

    static ChatMessageSent sent(String region, String roomId, long seq) {
        ChatMessage message = ChatMessage.newBuilder()
                .setMessageId(region + "-" + roomId + "-" + seq)
                .setRoomId(roomId)
                .setSenderId("alice")
                .setContent("hello " + seq + " from " + region)
                .setSentAt(AT.plusMillis(seq))
                .setSeq(seq)
                .setClientMsgId("c" + seq)
                .setAttachments(List.of())
                .build();
        return ChatMessageSent.newBuilder().setEventType(TopicNames.MESSAGE_SENT).setEventId("E-" + region + "-" + roomId + "-" + seq)
                .setOccurredAt(AT).setRegion(region).setPayload(message).build();
    }

    static RoomMembershipEvent joined(String region, String roomId, String userId) {
        return RoomMembershipEvent.newBuilder().setEventType(TopicNames.ROOM_MEMBERSHIP).setEventId("J-" + region + "-" + userId)
                .setOccurredAt(AT).setRegion(region).setCommandId(null)
                .setPayload(MemberJoined.newBuilder().setRoomId(roomId).setUserId(userId).setAddedBy(userId).build())
                .build();
    }

    static RoomCommand joinCommand(String region, String roomId, String actorId) {
        return RoomCommand.newBuilder().setEventType(TopicNames.MESSAGE_REQUESTED).setEventId("C-" + region + "-" + actorId)
                .setOccurredAt(AT).setRegion(region).setCommandId("cmd-" + actorId).setActorId(actorId)
                .setOrigin(Origin.newBuilder().setNodeId("edge-1").setSessionId(null).build())
                .setPayload(JoinRoomRequested.newBuilder().setRoomId(roomId).build())
                .build();
    }
}
