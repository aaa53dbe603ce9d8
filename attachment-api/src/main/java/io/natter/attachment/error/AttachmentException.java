package io.natter.attachment.error;

/** A refused attachment request: a stable {@link AttachmentError} code and a message for the client. */
public final class AttachmentException extends RuntimeException {
    private final AttachmentError error;

    public AttachmentException(AttachmentError error, String message) {
        this(error, message, null);
    }

    public AttachmentException(AttachmentError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public AttachmentError error() {
        return error;
    }
}
