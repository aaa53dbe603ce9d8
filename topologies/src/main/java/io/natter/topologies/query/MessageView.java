package io.natter.topologies.query;

import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.HistoryEntry;
import java.time.Instant;
import java.util.List;

/**
 * One retained message as the history API returns it: latest content, or empty content once deleted, with the
 * room's epoch it was sequenced in.
 */
public record MessageView(String messageId, String roomId, String senderId, String content, Instant ts, long seq,
                          String clientMsgId, List<Attachment> attachments, Instant editedAt, boolean deleted,
                          int epoch) {

    /** A message of epoch 0. */
    public MessageView(String messageId, String roomId, String senderId, String content, Instant ts, long seq,
                       String clientMsgId, List<Attachment> attachments, Instant editedAt, boolean deleted) {
        this(messageId, roomId, senderId, content, ts, seq, clientMsgId, attachments, editedAt, deleted, 0);
    }

    /** Metadata of an attachment of the message. */
    public record Attachment(String attachmentId, String fileName, String mimeType, long size) {
        static Attachment of(AttachmentRef ref) {
            return new Attachment(ref.getAttachmentId(), ref.getFileName(), ref.getMimeType(), ref.getSize());
        }
    }

    static MessageView of(HistoryEntry entry) {
        ChatMessage m = entry.getMessage();
        return new MessageView(m.getMessageId(), m.getRoomId(), m.getSenderId(), m.getContent(), m.getSentAt(),
                m.getSeq(), m.getClientMsgId(), m.getAttachments().stream().map(Attachment::of).toList(),
                entry.getEditedAt(), entry.getDeletedAt() != null, m.getEpoch());
    }
}
