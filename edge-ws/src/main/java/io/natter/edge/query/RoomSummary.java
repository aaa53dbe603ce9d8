package io.natter.edge.query;

import java.time.Instant;

/** One of a user's rooms, as listed by the topology query API. */
public record RoomSummary(String roomId, String name, String visibility, String ownerId, long lastSeq,
        Instant lastActivityAt, long messageCount) {}
