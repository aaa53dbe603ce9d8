package io.natter.attachment.objects;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

/**
 * Tells what an upload really is from its first bytes, with Apache Tika's magic-number database and its plain-text
 * heuristic (no hand-written signatures). Only the bytes count: the client's file name and Content-Type are not
 * given to the detector, since the client may lie about both.
 */
public final class ContentSniffer {
    private final MimeTypes detector = MimeTypes.getDefaultMimeTypes();
    private final MediaTypeRegistry registry = detector.getMediaTypeRegistry();

    /** How many leading bytes detection looks at; callers pass at least this many when the object has them. */
    public int headLength() {
        return detector.getMinLength();
    }

    /** The base media type of {@code head} (the object's first bytes), e.g. {@code image/png}, or octet-stream. */
    public String detect(byte[] head) {
        try {
            return registry.normalize(detector.detect(new ByteArrayInputStream(head), new Metadata())).getBaseType()
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException("reading an in-memory array cannot fail", e);
        }
    }

    /**
     * Whether bytes detected as {@code detected} may be stored as {@code declared}: the same type, or a specialisation
     * the bytes alone cannot tell apart (e.g. {@code text/csv} detected as {@code text/plain}). Unrecognised binary
     * ({@code application/octet-stream}) never passes as a more specific type.
     */
    public boolean consistent(String declared, String detected) {
        MediaType declaredType = registry.normalize(MediaType.parse(declared));
        MediaType detectedType = registry.normalize(MediaType.parse(detected));
        if (declaredType == null || detectedType == null) {
            return false;
        }
        if (declaredType.getBaseType().equals(detectedType.getBaseType())) {
            return true;
        }
        return !detectedType.equals(MediaType.OCTET_STREAM)
                && registry.isSpecializationOf(declaredType.getBaseType(), detectedType.getBaseType());
    }
}
