package io.natter.attachment.objects;

/** What the store says about an uploaded object: its real size and the Content-Type it was PUT with (may be null). */
public record StoredObject(long size, String contentType) {}
