package io.natter.edge.query;

import java.time.Instant;
import java.util.List;

/** One message of a room's retained history: latest content, {@code editedAt} if edited, empty content if deleted. */
public record StoredMessage(String messageId, String roomId, String senderId, String content, Instant ts, long seq,
        String clientMsgId, List<StoredAttachment> attachments, Instant editedAt, boolean deleted, Integer epoch) {

    public StoredMessage(String messageId, String roomId, String senderId, String content, Instant ts, long seq,
            String clientMsgId, List<StoredAttachment> attachments, Instant editedAt, boolean deleted) {
        this(messageId, roomId, senderId, content, ts, seq, clientMsgId, attachments, editedAt, deleted, null);
    }

    /** Attachment metadata of a stored message. */
    public record StoredAttachment(String attachmentId, String fileName, String mimeType, long size) {}
}
