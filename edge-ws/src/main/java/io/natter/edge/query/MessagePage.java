package io.natter.edge.query;

import java.util.List;

/** A page of a room's history, ascending by seq; {@code hasMore} when more lie in the direction read. */
public record MessagePage(String roomId, List<StoredMessage> messages, boolean hasMore, long oldestSeq, long lastSeq) {

    public MessagePage {
        messages = messages == null ? List.of() : List.copyOf(messages);
    }
}
