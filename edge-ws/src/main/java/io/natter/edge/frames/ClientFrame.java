package io.natter.edge.frames;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/** A frame a client sends over {@code /ws}, decoded once by {@link FrameCodec}; the JSON {@code type} picks the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientFrame.SendMessage.class, name = "SEND_MESSAGE"),
    @JsonSubTypes.Type(value = ClientFrame.EditMessage.class, name = "EDIT_MESSAGE"),
    @JsonSubTypes.Type(value = ClientFrame.DeleteMessage.class, name = "DELETE_MESSAGE"),
    @JsonSubTypes.Type(value = ClientFrame.JoinRoom.class, name = "JOIN_ROOM"),
    @JsonSubTypes.Type(value = ClientFrame.LeaveRoom.class, name = "LEAVE_ROOM"),
    @JsonSubTypes.Type(value = ClientFrame.History.class, name = "HISTORY"),
    @JsonSubTypes.Type(value = ClientFrame.Resume.class, name = "RESUME"),
    @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "PING"),
    @JsonSubTypes.Type(value = ClientFrame.SubscribePresence.class, name = "SUBSCRIBE_PRESENCE"),
    @JsonSubTypes.Type(value = ClientFrame.UnsubscribePresence.class, name = "UNSUBSCRIBE_PRESENCE"),
    @JsonSubTypes.Type(value = ClientFrame.RefreshToken.class, name = "REFRESH_TOKEN")
})
public sealed interface ClientFrame {

    /**
     * Post {@code content} to a room; {@code clientMsgId} (optional) comes back in ACK or ERROR.ref;
     * {@code attachments} are ids of ready attachments of the room (empty when absent).
     */
    record SendMessage(String roomId, String content, String clientMsgId, List<String> attachments)
            implements ClientFrame {
        public SendMessage {
            attachments = attachments == null ? List.of() : attachments;
        }

        /** A send without attachments. */
        public SendMessage(String roomId, String content, String clientMsgId) {
            this(roomId, content, clientMsgId, List.of());
        }
    }

    /** The author replaces a message's content. */
    record EditMessage(String roomId, String messageId, String content) implements ClientFrame {}

    /** The author or the room owner deletes a message. */
    record DeleteMessage(String roomId, String messageId) implements ClientFrame {}

    /** Join a public room. */
    record JoinRoom(String roomId) implements ClientFrame {}

    /** Leave a room. */
    record LeaveRoom(String roomId) implements ClientFrame {}

    /** A page of a room's history: the newest {@code limit} messages before {@code beforeSeq} (newest when absent). */
    record History(String roomId, Long beforeSeq, Integer limit) implements ClientFrame {}

    /**
     * Replay every message after {@code rooms[roomId]} (the last seq the client has), then continue live;
     * {@code epochs[roomId]} (optional) is the epoch of that seq, so a room that failed over since can say EPOCH.
     */
    record Resume(Map<String, Long> rooms, Map<String, Integer> epochs) implements ClientFrame {
        public Resume(Map<String, Long> rooms) {
            this(rooms, null);
        }
    }

    /** Liveness probe, answered with PONG; also refreshes the user's presence. */
    record Ping() implements ClientFrame {}

    /** A member asks for a snapshot of the room's members' presence, then their changes. */
    record SubscribePresence(String roomId) implements ClientFrame {}

    /** Stop the presence changes of a room's members (unless another subscribed room has them too). */
    record UnsubscribePresence(String roomId) implements ClientFrame {}

    /** Replace the socket's token with a fresh one of the same subject before the current one expires. */
    record RefreshToken(String token) implements ClientFrame {}
}
