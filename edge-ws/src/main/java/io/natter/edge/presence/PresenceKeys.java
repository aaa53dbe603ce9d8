package io.natter.edge.presence;

/** Redis key and channel names of presence; the Lua scripts build the same names from a user id. */
final class PresenceKeys {
    /** {@code {status, lastSeen}} JSON with the TTL; exists while some edge refreshes the user. */
    static final String USER = "presence:user:";
    /** ZSET of live connections, member {@code nodeId/sessionId}, score = expiry (epoch ms). */
    static final String CONNS = "presence:conns:";
    /** ZSET of the edges holding the user's connections, score = expiry (epoch ms). */
    static final String EDGES = "presence:edges:";
    /** HASH {@code status, lastSeen}: the last broadcast status, changed only by the compare-and-set scripts. */
    static final String STATE = "presence:state:";
    /** SET of the users whose state is ONLINE, kept by the same scripts. */
    static final String ONLINE = "presence:online";
    /** Lease (node id, TTL) of the edge doing this period's sweep for missed expiries. */
    static final String SWEEP_LEASE = "presence:sweep";
    /** Pub/sub channel of transitions, JSON {@code {userId, status, lastSeen}}. */
    static final String EVENTS = "presence:events";
    /** Keyspace notifications of expired keys in database 0 (needs {@code notify-keyspace-events Ex}). */
    static final String EXPIRED = "__keyevent@0__:expired";

    private PresenceKeys() {}
}
