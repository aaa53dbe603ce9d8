package io.natter.edge.frames;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/** A frame the edge sends over {@code /ws}, serialized with its {@code type} first. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServerFrame.Message.class, name = "MESSAGE"),
    @JsonSubTypes.Type(value = ServerFrame.MessageEdited.class, name = "MESSAGE_EDITED"),
    @JsonSubTypes.Type(value = ServerFrame.MessageDeleted.class, name = "MESSAGE_DELETED"),
    @JsonSubTypes.Type(value = ServerFrame.Ack.class, name = "ACK"),
    @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "ERROR"),
    @JsonSubTypes.Type(value = ServerFrame.History.class, name = "HISTORY"),
    @JsonSubTypes.Type(value = ServerFrame.Joined.class, name = "JOINED"),
    @JsonSubTypes.Type(value = ServerFrame.Left.class, name = "LEFT"),
    @JsonSubTypes.Type(value = ServerFrame.Pong.class, name = "PONG"),
    @JsonSubTypes.Type(value = ServerFrame.PresenceSnapshot.class, name = "PRESENCE_SNAPSHOT"),
    @JsonSubTypes.Type(value = ServerFrame.Presence.class, name = "PRESENCE"),
    @JsonSubTypes.Type(value = ServerFrame.PresenceUnsubscribed.class, name = "PRESENCE_UNSUBSCRIBED"),
    @JsonSubTypes.Type(value = ServerFrame.TokenRefreshed.class, name = "TOKEN_REFRESHED"),
    @JsonSubTypes.Type(value = ServerFrame.Epoch.class, name = "EPOCH")
})
public sealed interface ServerFrame {

    /**
     * A sequenced room message, delivered to every connected member (the sender included); {@code seq} is unique
     * within the room's {@code epoch} (which grows when the room fails over to another region).
     */
    record Message(String roomId, String messageId, String senderId, String content, Instant ts, long seq, int epoch,
            List<Attachment> attachments) implements ServerFrame {
        public Message(String roomId, String messageId, String senderId, String content, Instant ts, long seq,
                List<Attachment> attachments) {
            this(roomId, messageId, senderId, content, ts, seq, 0, attachments);
        }
    }

    /** The message {@code messageId} (at {@code seq}) now reads {@code content}. */
    record MessageEdited(String roomId, String messageId, long seq, String content, String editorId, Instant editedAt)
            implements ServerFrame {}

    /**
     * The message {@code messageId} (at {@code seq}) was deleted. A RESUME replays a deleted message as this
     * frame; history keeps no deleter or time for it, so {@code deletedBy}/{@code deletedAt} are then absent.
     */
    record MessageDeleted(String roomId, String messageId, long seq, String deletedBy, Instant deletedAt)
            implements ServerFrame {}

    /** Tells the sending session its message got {@code messageId} and {@code seq} in the room's {@code epoch}. */
    record Ack(String clientMsgId, String messageId, long seq, int epoch) implements ServerFrame {
        public Ack(String clientMsgId, String messageId, long seq) {
            this(clientMsgId, messageId, seq, 0);
        }
    }

    /**
     * The room now runs under {@code epoch} (it was re-homed to another region), sequenced on from {@code fromSeq}:
     * the client's own sends ACKed at seq {@code >= fromSeq} under an older epoch were lost and must be resent with
     * the same clientMsgId (resending one that did survive is harmless: it is answered with the original).
     */
    record Epoch(String roomId, int epoch, long fromSeq) implements ServerFrame {}

    /**
     * A refused frame or command; {@code ref} is the send's clientMsgId, the request's id, or the room id of a
     * RESUME; {@code oldestSeq} only with HISTORY_TRUNCATED; {@code retryAfterMs} only with RATE_LIMITED.
     */
    record Error(String code, String message, String ref, Long oldestSeq, Long retryAfterMs) implements ServerFrame {
        public Error(String code, String message, String ref) {
            this(code, message, ref, null, null);
        }

        public Error(String code, String message, String ref, Long oldestSeq) {
            this(code, message, ref, oldestSeq, null);
        }
    }

    /** A page of a room's history, ascending by seq; {@code hasMore} when older messages remain. */
    record History(String roomId, List<HistoryMessage> messages, boolean hasMore) implements ServerFrame {}

    /** The session's user is now a member of {@code roomId}. */
    record Joined(String roomId) implements ServerFrame {}

    /** The session's user left {@code roomId}. */
    record Left(String roomId) implements ServerFrame {}

    /** Answer to PING. */
    record Pong() implements ServerFrame {}

    /** The presence of every member of {@code roomId}, answering SUBSCRIBE_PRESENCE; changes follow as PRESENCE. */
    record PresenceSnapshot(String roomId, List<UserPresence> users) implements ServerFrame {}

    /**
     * {@code userId} went ONLINE or OFFLINE; {@code lastSeen} is when its edges last saw it alive (absent if
     * never).
     */
    record Presence(String userId, String status, Instant lastSeen) implements ServerFrame {}

    /** No more presence changes for the members of {@code roomId} (answers UNSUBSCRIBE_PRESENCE). */
    record PresenceUnsubscribed(String roomId) implements ServerFrame {}

    /** The socket now runs on the token of a REFRESH_TOKEN, which expires at {@code expiresAt}. */
    record TokenRefreshed(Instant expiresAt) implements ServerFrame {}

    /** One member's status in a PRESENCE_SNAPSHOT. */
    record UserPresence(String userId, String status, Instant lastSeen) {}

    /** Metadata of an attachment carried by a message. */
    record Attachment(String attachmentId, String fileName, String mimeType, long size) {}

    /** One message of a HISTORY page: the latest content, {@code editedAt} if edited, empty content if deleted. */
    record HistoryMessage(String roomId, String messageId, String senderId, String content, Instant ts, long seq,
            List<Attachment> attachments, Instant editedAt, boolean deleted) {}
}
