package io.natter.edge.rooms;

import java.util.List;

/** Body of {@code POST /api/rooms}; {@code roomId} is generated when absent. */
public record CreateRoomRequest(String roomId, String name, String visibility, List<String> members) {}
