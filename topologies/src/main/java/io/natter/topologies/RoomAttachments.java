package io.natter.topologies;

import io.natter.schemas.avro.AttachmentMetadata;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The attachments the attachment-api registered for each room ({@value RoomTopology#ATTACHMENTS_STORE}), which
 * sends may name. Bounded by the attachment-api: it removes an attachment when it is deleted or expires.
 */
final class RoomAttachments {
    private final KeyValueStore<String, AttachmentMetadata> attachments;

    RoomAttachments(KeyValueStore<String, AttachmentMetadata> attachments) {
        this.attachments = attachments;
    }

    /** The registered attachments of {@code roomId} among {@code attachmentIds}, by id; unknown ids are absent. */
    Map<String, AttachmentMetadata> find(String roomId, Collection<String> attachmentIds) {
        Map<String, AttachmentMetadata> found = new LinkedHashMap<>();
        for (String attachmentId : attachmentIds) {
            AttachmentMetadata metadata = attachments.get(StoreKeys.attachment(roomId, attachmentId));
            if (metadata != null) {
                found.put(attachmentId, metadata);
            }
        }
        return found;
    }

    /** Stores {@code attachment} under its own room. */
    void register(AttachmentMetadata attachment) {
        attachments.put(StoreKeys.attachment(attachment.getRoomId(), attachment.getAttachmentId()), attachment);
    }

    /** Forgets an attachment; messages already sent keep their copy of its metadata. */
    void remove(String roomId, String attachmentId) {
        attachments.delete(StoreKeys.attachment(roomId, attachmentId));
    }
}
