package io.natter.edge.frames;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A frame a client sends over {@code /ws}, decoded once by {@link FrameCodec}; the JSON {@code type} picks the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientFrame.SendMessage.class, name = "SEND_MESSAGE"),
    @JsonSubTypes.Type(value = ClientFrame.JoinRoom.class, name = "JOIN_ROOM"),
    @JsonSubTypes.Type(value = ClientFrame.LeaveRoom.class, name = "LEAVE_ROOM"),
    @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "PING")
})
public sealed interface ClientFrame {

    /** Post {@code content} to a room; {@code clientMsgId} (optional) comes back in ACK or ERROR.ref. */
    record SendMessage(String roomId, String content, String clientMsgId) implements ClientFrame {}

    /** Join a public room. */
    record JoinRoom(String roomId) implements ClientFrame {}

    /** Leave a room. */
    record LeaveRoom(String roomId) implements ClientFrame {}

    /** Liveness probe, answered with PONG. */
    record Ping() implements ClientFrame {}
}
