package io.natter.edge.query;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;

/**
 * A room's state as the topology query API returns it (and {@code GET /api/rooms/{roomId}} passes on); {@code epoch}
 * and {@code epochFromSeq} are null from a topology that does not report them.
 */
public record RoomView(String roomId, String name, String visibility, String ownerId, List<String> members,
        String homeRegion, Instant createdAt, long lastSeq, Instant lastActivityAt, long messageCount, long oldestSeq,
        Integer epoch, Long epochFromSeq) {

    public RoomView(String roomId, String name, String visibility, String ownerId, List<String> members,
            String homeRegion, Instant createdAt, long lastSeq, Instant lastActivityAt, long messageCount,
            long oldestSeq) {
        this(roomId, name, visibility, ownerId, members, homeRegion, createdAt, lastSeq, lastActivityAt, messageCount,
                oldestSeq, null, null);
    }

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
