package io.natter.attachment.error;

/** The attachment-api's own client-facing error codes with their HTTP status (room and token errors are the edge's). */
public enum AttachmentError {
    /** No such attachment, or one the caller may not see (another user's upload still pending). */
    ATTACHMENT_NOT_FOUND(404),
    /** Only the uploader completes an upload; only the uploader or the room owner deletes. */
    NOT_ATTACHMENT_OWNER(403),
    /** Completion was asked before any object was uploaded to the presigned URL. */
    UPLOAD_NOT_FOUND(409),
    /** The declared size, or the stored object's, is over the limit. */
    ATTACHMENT_TOO_LARGE(413),
    /** The declared media type, or the stored object's, is not on the allow-list. */
    UNSUPPORTED_MEDIA_TYPE(415),
    /** The stored object's size differs from the declared one. */
    SIZE_MISMATCH(422),
    /** The stored object's Content-Type or its bytes do not match the declared media type. */
    TYPE_MISMATCH(422),
    /** The object store or the database did not answer. */
    STORAGE_UNAVAILABLE(503);

    private final int status;

    AttachmentError(int status) {
        this.status = status;
    }

    /** HTTP status answered with this code. */
    public int status() {
        return status;
    }
}
