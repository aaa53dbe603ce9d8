package io.natter.topologies.query;

import java.util.List;

/**
 * JSON of {@code GET /internal/rooms/{roomId}/messages}: messages ascending by seq, whether more exist in the
 * direction asked, and the room's retained range {@code oldestSeq..lastSeq}.
 */
public record MessagePage(String roomId, List<MessageView> messages, boolean hasMore, long oldestSeq, long lastSeq) {}
