package io.natter.topologies.query;

import io.natter.schemas.avro.RoomState;
import java.time.Instant;

/** One element of {@code GET /internal/users/{userId}/rooms}: a room the user is a member of. */
public record UserRoomView(String roomId, String name, String visibility, String ownerId, long lastSeq,
                           Instant lastActivityAt, long messageCount) {

    static UserRoomView of(RoomState room) {
        return new UserRoomView(room.getRoomId(), room.getName(), RoomView.visibility(room), room.getOwnerId(),
                room.getLastSeq(), room.getLastActivityAt(), room.getMessageCount());
    }
}
