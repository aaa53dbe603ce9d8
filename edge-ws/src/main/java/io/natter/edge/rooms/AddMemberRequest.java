package io.natter.edge.rooms;

/** Body of {@code POST /api/rooms/{roomId}/members}. */
public record AddMemberRequest(String userId) {}
