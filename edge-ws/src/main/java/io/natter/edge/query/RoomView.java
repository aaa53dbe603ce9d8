package io.natter.edge.query;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;

/** A room's state as the topology query API returns it (and {@code GET /api/rooms/{roomId}} passes on). */
public record RoomView(String roomId, String name, String visibility, String ownerId, List<String> members,
        String homeRegion, Instant createdAt, long lastSeq, Instant lastActivityAt, long messageCount, long oldestSeq) {

    /** Whether {@code userId} is a member. */
    public boolean hasMember(String userId) {
        return members != null && members.contains(userId);
    }

    /** Whether anyone may learn the room exists (and join it). */
    @JsonIgnore
    public boolean isPublic() {
        return "public".equals(visibility);
    }
}
