package io.natter.topologies.query;

import io.natter.schemas.avro.RoomState;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * JSON of {@code GET /internal/rooms/{roomId}}: the room's state and the oldest seq still in its history; {@code epoch}
 * and {@code epochFromSeq} say since when the current home sequences it (0 and 1 until it first moves).
 */
public record RoomView(String roomId, String name, String visibility, String ownerId, List<String> members,
                       String homeRegion, Instant createdAt, long lastSeq, Instant lastActivityAt, long messageCount,
                       long oldestSeq, int epoch, long epochFromSeq) {

    /** A room that never moved home (epoch 0). */
    public RoomView(String roomId, String name, String visibility, String ownerId, List<String> members,
                    String homeRegion, Instant createdAt, long lastSeq, Instant lastActivityAt, long messageCount,
                    long oldestSeq) {
        this(roomId, name, visibility, ownerId, members, homeRegion, createdAt, lastSeq, lastActivityAt, messageCount,
                oldestSeq, 0, 1);
    }

    static RoomView of(RoomState room, long oldestSeq) {
        return new RoomView(room.getRoomId(), room.getName(), visibility(room), room.getOwnerId(),
                List.copyOf(room.getMembers()), room.getHomeRegion(), room.getCreatedAt(), room.getLastSeq(),
                room.getLastActivityAt(), room.getMessageCount(), oldestSeq, room.getEpoch(), room.getEpochFromSeq());
    }

    /** {@code "public"} or {@code "private"}, as the edge's frames spell it. */
    static String visibility(RoomState room) {
        return room.getVisibility().name().toLowerCase(Locale.ROOT);
    }
}
