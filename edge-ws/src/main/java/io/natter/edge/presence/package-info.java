/**
 * Presence: who is ONLINE, kept in Redis by every edge, announced exactly once per transition.
 *
 * <p>Redis keys (Redis server clock, epoch ms): {@code presence:user:<id>} JSON {@code {status, lastSeen}} with
 * the TTL, refreshed by the edges holding the user's sockets; {@code presence:conns:<id>} ZSET of live connections
 * ({@code nodeId/sessionId}, score = expiry); {@code presence:edges:<id>} ZSET of edges (score = expiry) for targeted
 * pushes; {@code presence:state:<id>} HASH {@code status, lastSeen}, no TTL, the last broadcast status, changed only
 * by compare-and-set in {@code PresenceScripts}; {@code presence:online} SET of ONLINE
 * users; {@code presence:sweep} the sweep lease. Transitions go out on the pub/sub channel {@code presence:events}.
 *
 * <p>OFFLINE comes from the last disconnect anywhere (after the grace) or from the expiry of
 * {@code presence:user:<id>} when an edge died (keyspace notification heard by every edge, plus a periodic sweep
 * for expiries nobody heard); the scripts let exactly one of the racing edges publish it.
 */
package io.natter.edge.presence;
