package io.natter.attachment.store;

import java.util.Locale;

/** Where an attachment is in its life: requested and maybe uploaded, or verified and usable in messages. */
public enum AttachmentStatus {
    PENDING,
    READY;

    /** The value stored in the {@code status} column and shown in the API. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static AttachmentStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
