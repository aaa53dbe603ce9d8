package io.natter.attachment.service;

import io.natter.attachment.store.Attachment;
import java.net.URI;
import java.time.Instant;

/**
 * An attachment as the API shows it. {@code checksum} ({@code sha256:<hex>}) and {@code completedAt} once ready;
 * {@code downloadUrl}, a presigned GET valid until {@code downloadExpiresAt}, only for ready ones.
 */
public record AttachmentView(String attachmentId, String roomId, String ownerId, String fileName, String mimeType,
        long size, String status, String checksum, Instant createdAt, Instant completedAt, URI downloadUrl,
        Instant downloadExpiresAt) {

    static AttachmentView of(Attachment a, URI downloadUrl, Instant downloadExpiresAt) {
        return new AttachmentView(a.id().toString(), a.roomId(), a.ownerId(), a.fileName(), a.mimeType(), a.size(),
                a.status().value(), a.checksum(), a.createdAt(), a.completedAt(), downloadUrl, downloadExpiresAt);
    }
}
