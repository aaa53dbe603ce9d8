package io.natter.attachment.service;

import java.net.URI;
import java.time.Instant;

/** Answer to an upload request: the new attachment's id and where to PUT its bytes until {@code expiresAt}. */
public record UploadTicket(String attachmentId, URI uploadUrl, Instant expiresAt) {}
