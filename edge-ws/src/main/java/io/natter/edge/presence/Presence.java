package io.natter.edge.presence;

/**
 * A user's presence: a transition on {@code presence:events}, or the last broadcast status read from Redis.
 * {@code lastSeenEpochMs} is the Redis server clock; 0 for a user never seen.
 */
public record Presence(String userId, OnlineStatus status, long lastSeenEpochMs) {

    /** A user Redis knows nothing about. */
    public static Presence unknown(String userId) {
        return new Presence(userId, OnlineStatus.OFFLINE, 0);
    }
}
