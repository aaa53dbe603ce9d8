package io.natter.attachment.service;

import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import io.natter.attachment.objects.ContentSniffer;
import io.natter.attachment.objects.ObjectStorage;
import io.natter.attachment.objects.StoredObject;
import io.natter.attachment.store.Attachment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks an upload against what its client declared, trusting only the store: the real size (stat), the stored
 * Content-Type, and the type of the first bytes; hashes the bytes (SHA-256) while reading them.
 * <p>
 * The staged object is checked by stat before it is copied to its final key (so a huge or mistyped upload is never
 * copied), and the copy is checked again in full, since the client could PUT again between the two.
 */
public final class UploadVerifier {
    private final ObjectStorage storage;
    private final ContentSniffer sniffer;
    private final UploadPolicy policy;

    public UploadVerifier(ObjectStorage storage, ContentSniffer sniffer, UploadPolicy policy) {
        this.storage = storage;
        this.sniffer = sniffer;
        this.policy = policy;
    }

    /**
     * Moves the staged upload of {@code pending} to its final key and verifies it there; returns its checksum
     * ({@code sha256:<hex>}). A refused object is deleted (the row stays pending: the client may PUT again while
     * its URL is valid). Throws {@link AttachmentException}: 409 nothing uploaded, 413, 415, 422 size or type.
     */
    public String verify(Attachment pending) {
        var staged = storage.stat(pending.stagingKey());
        if (staged.isPresent()) {
            refuseAndDelete(pending.stagingKey(), () -> checkStat(pending, staged.get()));
            storage.copy(pending.stagingKey(), pending.fileKey());
            storage.remove(pending.stagingKey());
        }
        // No staged object: nothing was uploaded, or an earlier completion copied it and then failed.
        StoredObject stored = storage.stat(pending.fileKey()).orElseThrow(() -> new AttachmentException(
                AttachmentError.UPLOAD_NOT_FOUND, "nothing was uploaded for attachment " + pending.id()
                        + ": PUT the file to the uploadUrl first"));
        return refuseAndDelete(pending.fileKey(), () -> {
            checkStat(pending, stored);
            return checkBytes(pending, stored);
        });
    }

    private void checkStat(Attachment pending, StoredObject stored) {
        policy.checkSize(stored.size());
        if (stored.size() != pending.size()) {
            throw new AttachmentException(AttachmentError.SIZE_MISMATCH, "the uploaded file has " + stored.size()
                    + " bytes, not the " + pending.size() + " declared");
        }
        String storedType = UploadPolicy.baseType(stored.contentType()).orElse("none");
        if (!storedType.equals(pending.mimeType())) {
            throw typeRefusal(pending.mimeType(), storedType, "was uploaded with Content-Type " + storedType);
        }
    }

    private String checkBytes(Attachment pending, StoredObject stored) {
        MessageDigest sha256 = sha256();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int headLength = sniffer.headLength();
        long read = 0;
        try (InputStream in = storage.open(pending.fileKey())) {
            byte[] buffer = new byte[64 * 1024];
            // Never reads more than the verified size (+1 to notice a longer object): a replaced object cannot make us stream gigabytes.
            for (int n; read <= stored.size() && (n = in.read(buffer)) != -1; read += n) {
                sha256.update(buffer, 0, n);
                if (head.size() < headLength) {
                    head.write(buffer, 0, Math.min(n, headLength - head.size()));
                }
            }
        } catch (IOException e) {
            throw new AttachmentException(AttachmentError.STORAGE_UNAVAILABLE, "the object store failed to read "
                    + pending.fileKey(), e);
        }
        if (read != stored.size()) {
            throw new AttachmentException(AttachmentError.SIZE_MISMATCH, "the uploaded file changed while it was checked");
        }
        String detected = sniffer.detect(head.toByteArray());
        if (!sniffer.consistent(pending.mimeType(), detected)) {
            throw typeRefusal(pending.mimeType(), detected, "has the content of " + detected);
        }
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }

    /** 415 when what the object really is may not be stored at all, else 422: it is allowed, but not what was declared. */
    private AttachmentException typeRefusal(String declared, String actual, String what) {
        String message = "the uploaded file " + what + ", not the declared " + declared;
        return policy.allows(actual)
                ? new AttachmentException(AttachmentError.TYPE_MISMATCH, message)
                : new AttachmentException(AttachmentError.UNSUPPORTED_MEDIA_TYPE, message);
    }

    private <T> T refuseAndDelete(String key, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (AttachmentException e) {
            if (e.error() != AttachmentError.STORAGE_UNAVAILABLE) {
                // Refused bytes are not kept: a lying client leaves nothing behind.
                storage.remove(key);
            }
            throw e;
        }
    }

    private void refuseAndDelete(String key, Runnable check) {
        refuseAndDelete(key, () -> {
            check.run();
            return null;
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
