package io.natter.edge.rooms;

import io.natter.edge.frames.ServerFrame;
import io.natter.edge.query.StoredMessage;
import java.util.List;

/** Server frames for stored history: HISTORY page entries, and the frame a RESUME replays for each seq. */
public final class HistoryFrames {
    private HistoryFrames() {}

    /** The HISTORY entry of {@code message}. */
    public static ServerFrame.HistoryMessage historyMessage(StoredMessage message) {
        return new ServerFrame.HistoryMessage(message.roomId(), message.messageId(), message.senderId(),
                message.content(), message.ts(), message.seq(), attachments(message), message.editedAt(),
                message.deleted());
    }

    /** What a replay sends for {@code message}: MESSAGE with its latest content, or MESSAGE_DELETED. */
    public static ServerFrame replayed(StoredMessage message) {
        if (message.deleted()) {
            return new ServerFrame.MessageDeleted(message.roomId(), message.messageId(), message.seq(), null, null);
        }
        return new ServerFrame.Message(message.roomId(), message.messageId(), message.senderId(), message.content(),
                message.ts(), message.seq(), message.epoch() == null ? 0 : message.epoch(), attachments(message));
    }

    private static List<ServerFrame.Attachment> attachments(StoredMessage message) {
        return message.attachments() == null ? List.of() : message.attachments().stream()
                .map(a -> new ServerFrame.Attachment(a.attachmentId(), a.fileName(), a.mimeType(), a.size()))
                .toList();
    }
}
