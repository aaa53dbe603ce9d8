package io.natter.attachment.service;

/** Body of {@code POST /api/rooms/{roomId}/attachments}: what the client says it will upload. */
public record UploadRequest(String fileName, String mimeType, Long size) {}
