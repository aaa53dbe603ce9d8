package io.natter.edge.ws;

import io.natter.edge.auth.AuthenticatedUser;
import io.natter.edge.auth.JwtAuthenticator;
import io.natter.edge.error.UnauthorizedException;
import io.natter.edge.frames.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers each open socket's token expiry, applies {@code REFRESH_TOKEN} (same subject only), and closes sockets
 * whose token expired with {@link #EXPIRED_CLOSE_CODE} when {@link #closeExpired} runs (every revalidate interval).
 */
public final class TokenWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TokenWatch.class);
    /** Close code of a socket whose token expired without a valid refresh (4000-4999: application codes). */
    public static final int EXPIRED_CLOSE_CODE = 4001;
    /** Close reason sent with {@link #EXPIRED_CLOSE_CODE}. */
    public static final String EXPIRED_REASON = "token expired";

    /** Closes one socket with a code and reason. */
    @FunctionalInterface
    public interface Closer {
        void close(int code, String reason);
    }

    private record Watched(String userId, Instant expiresAt, Closer closer) {}

    private final JwtAuthenticator authenticator;
    private final Clock clock;
    private final Map<String, Watched> sockets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /** A watch that only checks when {@link #closeExpired} is called; for tests. */
    public TokenWatch(JwtAuthenticator authenticator, Clock clock) {
        this(authenticator, clock, null);
    }

    private TokenWatch(JwtAuthenticator authenticator, Clock clock, ScheduledExecutorService timer) {
        this.authenticator = authenticator;
        this.clock = clock;
        this.timer = timer;
    }

    /** A watch that runs {@link #closeExpired} every {@code interval} until closed. */
    public static TokenWatch start(JwtAuthenticator authenticator, Clock clock, Duration interval, String nodeId) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(nodeId + "-token-watch").factory());
        TokenWatch watch = new TokenWatch(authenticator, clock, timer);
        timer.scheduleWithFixedDelay(watch::closeExpiredLogged, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return watch;
    }

    /** Starts watching a socket authenticated as {@code user}. */
    public void watch(String sessionId, AuthenticatedUser user, Closer closer) {
        sockets.put(sessionId, new Watched(user.userId(), user.expiresAt(), closer));
    }

    /** Stops watching a closed socket. */
    public void forget(String sessionId) {
        sockets.remove(sessionId);
    }

    /** The expiry of the token a socket currently runs on, or null when it is not watched. */
    public Instant expiresAt(String sessionId) {
        Watched watched = sockets.get(sessionId);
        return watched == null ? null : watched.expiresAt();
    }

    /**
     * Verifies {@code token} like a handshake token and, when it names the socket's own subject, makes its expiry the
     * socket's: {@code TOKEN_REFRESHED}, else {@code ERROR INVALID_TOKEN} or {@code TOKEN_SUBJECT_MISMATCH} (the
     * socket keeps its old token).
     */
    public ServerFrame refresh(String sessionId, String token, String ref) {
        AuthenticatedUser fresh;
        try {
            fresh = authenticator.authenticate(token);
        } catch (UnauthorizedException e) {
            return new ServerFrame.Error("INVALID_TOKEN", e.getMessage(), ref);
        }
        Watched updated = sockets.computeIfPresent(sessionId, (id, current) -> current.userId().equals(fresh.userId())
                ? new Watched(current.userId(), fresh.expiresAt(), current.closer())
                : current);
        if (updated == null) {
            return new ServerFrame.Error("INVALID_TOKEN", "the socket is closing", ref);
        }
        if (!updated.userId().equals(fresh.userId())) {
            return new ServerFrame.Error("TOKEN_SUBJECT_MISMATCH",
                    "the token is for another user; the socket keeps its current token", ref);
        }
        return new ServerFrame.TokenRefreshed(fresh.expiresAt());
    }

    /** Closes (and forgets) every socket whose token expired by now; returns how many. */
    public int closeExpired() {
        Instant now = clock.instant();
        int closed = 0;
        for (Map.Entry<String, Watched> entry : sockets.entrySet()) {
            Watched watched = entry.getValue();
            // remove(key, value) loses to a concurrent refresh, which replaced the value.
            if (!watched.expiresAt().isAfter(now) && sockets.remove(entry.getKey(), watched)) {
                log.debug("closing socket {} of {}: token expired at {}", entry.getKey(), watched.userId(),
                        watched.expiresAt());
                watched.closer().close(EXPIRED_CLOSE_CODE, EXPIRED_REASON);
                closed++;
            }
        }
        return closed;
    }

    private void closeExpiredLogged() {
        // A failure must not cancel the schedule: log and try again next interval.
        try {
            closeExpired();
        } catch (RuntimeException e) {
            log.warn("token re-validation failed", e);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
