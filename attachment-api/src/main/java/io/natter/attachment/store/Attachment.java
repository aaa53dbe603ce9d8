package io.natter.attachment.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code attachments}. {@code checksum} and {@code completedAt} are set once the upload is verified
 * ({@link AttachmentStatus#READY}); {@code expiresAt} is when the presigned PUT URL stops working.
 */
public record Attachment(UUID id, String ownerId, String roomId, String fileKey, String fileName, String mimeType,
        long size, AttachmentStatus status, String checksum, Instant createdAt, Instant completedAt, Instant expiresAt) {

    /**
     * Object key of an attachment, {@code rooms/<roomId>/<id>}: namespaced by room, so a room's objects can be found
     * (and removed) together. Every byte of the room id but {@code [A-Za-z0-9_-]} is percent-encoded, so no room id
     * can make a {@code /}, {@code ..} or other segment a filesystem-backed store would resolve.
     */
    public static String fileKey(String roomId, UUID id) {
        StringBuilder key = new StringBuilder("rooms/");
        for (byte b : roomId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                key.append(c);
            } else {
                key.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return key.append('/').append(id).toString();
    }

    /** Prefix of the keys clients upload to; objects there are unverified and never served. */
    public static final String STAGING_PREFIX = "uploads/";

    /**
     * Where the client PUTs the bytes: {@code uploads/<fileKey>}. Completion copies them to {@link #fileKey} and checks
     * that copy, so a client holding a still-valid PUT URL cannot replace an object after it was verified.
     */
    public String stagingKey() {
        return STAGING_PREFIX + fileKey;
    }

    /** This attachment, verified: ready with its checksum. */
    public Attachment ready(String newChecksum, Instant at) {
        return new Attachment(id, ownerId, roomId, fileKey, fileName, mimeType, size, AttachmentStatus.READY, newChecksum,
                createdAt, at, expiresAt);
    }

    public boolean isReady() {
        return status == AttachmentStatus.READY;
    }
}
