package io.natter.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.auth.AuthenticatedUser;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.edge.auth.JwtAuthenticator;
import io.natter.edge.frames.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenWatchTest {
    private static final String SECRET = "test-secret-test-secret-test-secret-0123";
    private static final String ISSUER = "natter-test";
    private static final String AUDIENCE = "natter";

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final JwtAuthenticator authenticator = JwtAuthenticator.hs256(SECRET, ISSUER, AUDIENCE);
    private final HmacTokenSigner signer = new HmacTokenSigner(SECRET, ISSUER, AUDIENCE, Clock.fixed(now, ZoneOffset.UTC));
    private final List<String> closes = new ArrayList<>();

    @Test
    void refreshWithTheSameSubjectMovesTheExpiry() {
        TokenWatch watch = watchAt(now);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(30)), closer("s1"));
        assertThat(watch.refresh("s1", signer.sign("alice", Duration.ofMinutes(10)), "r1"))
                .isEqualTo(new ServerFrame.TokenRefreshed(now.plus(Duration.ofMinutes(10))));
        assertThat(watch.expiresAt("s1")).isEqualTo(now.plus(Duration.ofMinutes(10)));
    }

    @Test
    void refreshForAnotherSubjectIsRefusedAndKeepsTheOldToken() {
        TokenWatch watch = watchAt(now);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(30)), closer("s1"));
        assertThat(watch.refresh("s1", signer.sign("mallory", Duration.ofMinutes(10)), "r1"))
                .isEqualTo(new ServerFrame.Error("TOKEN_SUBJECT_MISMATCH",
                        "the token is for another user; the socket keeps its current token", "r1"));
        assertThat(watch.expiresAt("s1")).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void anInvalidRefreshIsRefusedAndKeepsTheOldToken() {
        TokenWatch watch = watchAt(now);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(30)), closer("s1"));
        HmacTokenSigner forger = new HmacTokenSigner("another-secret-another-secret-another-0", ISSUER, AUDIENCE,
                Clock.fixed(now, ZoneOffset.UTC));
        ServerFrame answer = watch.refresh("s1", forger.sign("alice", Duration.ofMinutes(10)), "r1");
        assertThat(answer).isInstanceOfSatisfying(ServerFrame.Error.class, error -> {
            assertThat(error.code()).isEqualTo("INVALID_TOKEN");
            assertThat(error.ref()).isEqualTo("r1");
            assertThat(error.message()).startsWith("invalid token");
        });
        assertThat(watch.refresh("s1", "garbage", null))
                .isEqualTo(new ServerFrame.Error("INVALID_TOKEN", "malformed token", null));
        HmacTokenSigner past = new HmacTokenSigner(SECRET, ISSUER, AUDIENCE,
                Clock.fixed(now.minus(Duration.ofHours(1)), ZoneOffset.UTC));
        assertThat(((ServerFrame.Error) watch.refresh("s1", past.sign("alice", Duration.ofMinutes(5)), "r2")).code())
                .isEqualTo("INVALID_TOKEN");
        assertThat(watch.expiresAt("s1")).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void refreshOfAnUnwatchedSocketIsRefused() {
        assertThat(watchAt(now).refresh("gone", signer.sign("alice", Duration.ofMinutes(10)), "r1"))
                .isEqualTo(new ServerFrame.Error("INVALID_TOKEN", "the socket is closing", "r1"));
    }

    @Test
    void closesOnlySocketsWhoseTokenExpiredWith4001() {
        MutableClock clock = new MutableClock(now);
        TokenWatch watch = new TokenWatch(authenticator, clock);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(10)), closer("s1"));
        watch.watch("s2", new AuthenticatedUser("bob", now.plusSeconds(20)), closer("s2"));
        assertThat(watch.closeExpired()).isZero();
        clock.now = now.plusSeconds(10);
        assertThat(watch.closeExpired()).isEqualTo(1);
        assertThat(closes).containsExactly("s1:4001:token expired");
        assertThat(watch.expiresAt("s1")).isNull();
        assertThat(watch.closeExpired()).isZero();
        assertThat(closes).containsExactly("s1:4001:token expired");
    }

    @Test
    void aRefreshedSocketOutlivesItsFirstToken() {
        MutableClock clock = new MutableClock(now);
        TokenWatch watch = new TokenWatch(authenticator, clock);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(10)), closer("s1"));
        watch.refresh("s1", signer.sign("alice", Duration.ofMinutes(10)), "r1");
        clock.now = now.plus(Duration.ofMinutes(5));
        assertThat(watch.closeExpired()).isZero();
        clock.now = now.plus(Duration.ofMinutes(10));
        assertThat(watch.closeExpired()).isEqualTo(1);
        assertThat(closes).containsExactly("s1:4001:token expired");
    }

    @Test
    void aForgottenSocketIsNeverClosed() {
        MutableClock clock = new MutableClock(now);
        TokenWatch watch = new TokenWatch(authenticator, clock);
        watch.watch("s1", new AuthenticatedUser("alice", now.plusSeconds(10)), closer("s1"));
        watch.forget("s1");
        clock.now = now.plusSeconds(60);
        assertThat(watch.closeExpired()).isZero();
        assertThat(closes).isEmpty();
    }

    private TokenWatch watchAt(Instant instant) {
        return new TokenWatch(authenticator, Clock.fixed(instant, ZoneOffset.UTC));
    }

    private TokenWatch.Closer closer(String sessionId) {
        return (code, reason) -> closes.add(sessionId + ":" + code + ":" + reason);
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
