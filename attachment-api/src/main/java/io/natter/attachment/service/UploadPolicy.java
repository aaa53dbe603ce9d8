package io.natter.attachment.service;

import io.natter.attachment.AttachmentConfig;
import io.natter.attachment.error.AttachmentError;
import io.natter.attachment.error.AttachmentException;
import io.natter.edge.error.InvalidRequestException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The size limit and media-type allow-list, applied to what the client declares when it asks for an upload and again
 * to what the store holds when it completes one (the client can lie about either).
 */
public final class UploadPolicy {
    /** Longest file name kept, in characters. */
    public static final int MAX_FILE_NAME = 255;
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private final AttachmentConfig.Limits limits;

    public UploadPolicy(AttachmentConfig.Limits limits) {
        this.limits = limits;
    }

    /** An upload request that passed every check: a display name, a bare media type, a size in bytes. */
    public record Declared(String fileName, String mimeType, long size) {}

    /** Checks a request: 400 for a missing or malformed field, then 413 over the size limit, 415 off the allow-list. */
    public Declared check(UploadRequest request) {
        if (request.fileName() == null || request.fileName().isBlank()) {
            throw new InvalidRequestException("fileName is required");
        }
        if (request.fileName().length() > MAX_FILE_NAME || CONTROL.matcher(request.fileName()).find()) {
            throw new InvalidRequestException("fileName must be at most " + MAX_FILE_NAME
                    + " characters without control characters");
        }
        if (request.mimeType() == null || request.mimeType().isBlank()) {
            throw new InvalidRequestException("mimeType is required");
        }
        String mimeType = baseType(request.mimeType())
                .orElseThrow(() -> new InvalidRequestException("mimeType must be a media type like image/png"));
        if (request.size() == null || request.size() < 1) {
            throw new InvalidRequestException("size is required: the file's length in bytes, at least 1");
        }
        checkSize(request.size());
        checkType(mimeType);
        return new Declared(request.fileName(), mimeType, request.size());
    }

    /** 413 {@code ATTACHMENT_TOO_LARGE} when {@code size} is over the limit. */
    public void checkSize(long size) {
        if (size > limits.maxBytes()) {
            throw new AttachmentException(AttachmentError.ATTACHMENT_TOO_LARGE,
                    size + " bytes is over the limit of " + limits.maxBytes() + " bytes");
        }
    }

    /** 415 {@code UNSUPPORTED_MEDIA_TYPE} when {@code mimeType} (a base type) is not allowed. */
    public void checkType(String mimeType) {
        if (!limits.allowedTypes().contains(mimeType)) {
            throw new AttachmentException(AttachmentError.UNSUPPORTED_MEDIA_TYPE,
                    mimeType + " is not accepted; allowed: " + limits.allowedTypes().stream().sorted().toList());
        }
    }

    /** Whether {@code mimeType} (a base type) is allowed. */
    public boolean allows(String mimeType) {
        return limits.allowedTypes().contains(mimeType);
    }

    /** The lower-case {@code type/subtype} of a Content-Type value, parameters dropped; empty if it is not one. */
    public static Optional<String> baseType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String base = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return MEDIA_TYPE.matcher(base).matches() ? Optional.of(base) : Optional.empty();
    }
}
