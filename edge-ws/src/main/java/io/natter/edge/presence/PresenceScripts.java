package io.natter.edge.presence;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Lua scripts that own presence state. {@code presence:state:*} and {@code presence:online} change only here,
 * by compare-and-set inside one atomic script, so each ONLINE/OFFLINE transition is published exactly once however
 * many edges race for it. Times are the Redis server's clock, so edges' clocks need not agree.
 */
final class PresenceScripts {

    /** One script and its SHA-1, for EVALSHA with a fallback to EVAL after Redis lost its script cache. */
    record LuaScript(String name, String source, String sha) {
        static LuaScript of(String name, String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new LuaScript(name, source, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required of every JVM", e);
            }
        }
    }

    private static final String COMMON = """
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            -- OFFLINE when no live connection is left anywhere; returns the published event or nil.
            local function go_offline(user, now, ttl)
              local conns = 'presence:conns:' .. user
              local userKey = 'presence:user:' .. user
              local lastSeen = nil
              local current = redis.call('GET', userKey)
              if current then lastSeen = cjson.decode(current).lastSeen end
              if not lastSeen then
                local top = redis.call('ZRANGE', conns, -1, -1, 'WITHSCORES')
                if top[2] then lastSeen = tonumber(top[2]) - ttl end
              end
              redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
              if redis.call('ZCARD', conns) > 0 then return nil end
              redis.call('DEL', userKey, conns, 'presence:edges:' .. user)
              local state = 'presence:state:' .. user
              if redis.call('HGET', state, 'status') ~= 'ONLINE' then return nil end
              if not lastSeen or lastSeen > now then lastSeen = now end
              redis.call('HSET', state, 'status', 'OFFLINE', 'lastSeen', lastSeen)
              redis.call('SREM', 'presence:online', user)
              local event = cjson.encode({userId = user, status = 'OFFLINE', lastSeen = lastSeen})
              redis.call('PUBLISH', 'presence:events', event)
              return event
            end
            """;

    /**
     * Registers or refreshes connections. ARGV: ttlMs, nodeId, then per user: userId, n, n session ids.
     * Returns the ONLINE events it published (users whose state was not ONLINE).
     */
    static final LuaScript TOUCH = LuaScript.of("touch", COMMON + """
            local now = now_ms()
            local ttl = tonumber(ARGV[1])
            local node = ARGV[2]
            local expiry = now + ttl
            local published = {}
            local i = 3
            while i <= #ARGV do
              local user = ARGV[i]
              local n = tonumber(ARGV[i + 1])
              local conns = 'presence:conns:' .. user
              local members = {}
              for j = 1, n do
                members[#members + 1] = expiry
                members[#members + 1] = node .. '/' .. ARGV[i + 1 + j]
              end
              -- Members of edges that died stay until a disconnect or offline check prunes them; their expired
              -- scores never count, and pruning here would cost a command per user per refresh.
              if n > 0 then redis.call('ZADD', conns, unpack(members)) end
              redis.call('PEXPIRE', conns, 2 * ttl)
              local edges = 'presence:edges:' .. user
              redis.call('ZADD', edges, expiry, node)
              redis.call('PEXPIRE', edges, ttl)
              redis.call('SET', 'presence:user:' .. user, cjson.encode({status = 'ONLINE', lastSeen = now}), 'PX', ttl)
              local state = 'presence:state:' .. user
              if redis.call('HGET', state, 'status') ~= 'ONLINE' then
                redis.call('HSET', state, 'status', 'ONLINE', 'lastSeen', now)
                redis.call('SADD', 'presence:online', user)
                local event = cjson.encode({userId = user, status = 'ONLINE', lastSeen = now})
                redis.call('PUBLISH', 'presence:events', event)
                published[#published + 1] = event
              end
              i = i + 2 + n
            end
            return published
            """);

    /**
     * Forgets one connection. ARGV: userId, nodeId, sessionId, lastOnNode (1 = drop the node from the edge index).
     * Returns how many live connections the user still has anywhere.
     */
    static final LuaScript DISCONNECT = LuaScript.of("disconnect", COMMON + """
            local now = now_ms()
            local user = ARGV[1]
            local conns = 'presence:conns:' .. user
            redis.call('ZREM', conns, ARGV[2] .. '/' .. ARGV[3])
            if ARGV[4] == '1' then redis.call('ZREM', 'presence:edges:' .. user, ARGV[2]) end
            redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
            local live = redis.call('ZCARD', conns)
            if live == 0 then
              -- Remember when the user left, for the OFFLINE that follows unless they come back within the grace.
              redis.call('SET', 'presence:user:' .. user, cjson.encode({status = 'ONLINE', lastSeen = now}), 'KEEPTTL', 'XX')
            end
            return live
            """);

    /** OFFLINE unless a live connection is left. ARGV: userId, ttlMs. Returns the published event or nil. */
    static final LuaScript OFFLINE = LuaScript.of("offline", COMMON + """
            return go_offline(ARGV[1], now_ms(), tonumber(ARGV[2]))
            """);

    /**
     * Catches OFFLINE transitions whose expiry notification nobody received (e.g. every edge was away).
     * ARGV: cursor, count, ttlMs, nodeId (a periodic sweep: only one edge per TTL gets the lease) or empty
     * (after a reconnect: always). Returns {nextCursor, published events...}.
     */
    static final LuaScript SWEEP = LuaScript.of("sweep", COMMON + """
            local now = now_ms()
            local ttl = tonumber(ARGV[3])
            if ARGV[1] == '0' and ARGV[4] ~= '' then
              if not redis.call('SET', 'presence:sweep', ARGV[4], 'NX', 'PX', ttl) then return {'0'} end
            end
            local scan = redis.call('SSCAN', 'presence:online', ARGV[1], 'COUNT', tonumber(ARGV[2]))
            local out = {scan[1]}
            for _, user in ipairs(scan[2]) do
              if redis.call('EXISTS', 'presence:user:' .. user) == 0 then
                local event = go_offline(user, now, ttl)
                if event then out[#out + 1] = event end
              end
            end
            return out
            """);

    /** The edges holding live connections of a user. ARGV: userId. */
    static final LuaScript EDGES = LuaScript.of("edges", COMMON + """
            return redis.call('ZRANGEBYSCORE', 'presence:edges:' .. ARGV[1], '(' .. now_ms(), '+inf')
            """);

    private PresenceScripts() {}

    /** Runs {@code script} by SHA, loading it with EVAL when Redis does not know it (e.g. after a restart). */
    static <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, LuaScript script,
            ScriptOutputType type, List<String> args) {
        String[] keys = new String[0];
        String[] values = args.toArray(String[]::new);
        CompletableFuture<T> bySha = redis.<T>evalsha(script.sha(), type, keys, values).toCompletableFuture();
        return bySha.exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(script.source(), type, keys, values).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
