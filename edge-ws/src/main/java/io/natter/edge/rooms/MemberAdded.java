package io.natter.edge.rooms;

/** Response of {@code POST /api/rooms/{roomId}/members}. */
public record MemberAdded(String roomId, String userId) {}
