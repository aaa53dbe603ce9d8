package io.natter.edge.rooms;

/** Response of {@code POST /api/rooms}. */
public record RoomCreated(String roomId) {}
