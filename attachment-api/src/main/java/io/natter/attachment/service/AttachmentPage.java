package io.natter.attachment.service;

import java.util.List;

/** One page of a room's ready attachments, newest first; {@code nextCursor} is absent on the last page. */
public record AttachmentPage(List<AttachmentView> items, String nextCursor) {
    public AttachmentPage {
        items = List.copyOf(items);
    }
}
