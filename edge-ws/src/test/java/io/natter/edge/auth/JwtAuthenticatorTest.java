package io.natter.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.natter.edge.error.UnauthorizedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
    private static final String SECRET = "test-secret-test-secret-test-secret-0123";
    private static final String ISSUER = "natter-test";
    private static final String AUDIENCE = "natter";

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final JwtAuthenticator authenticator = JwtAuthenticator.hs256(SECRET, ISSUER, AUDIENCE);
    private final HmacTokenSigner signer = new HmacTokenSigner(SECRET, ISSUER, AUDIENCE, Clock.systemUTC());

    @Test
    void acceptsAValidTokenAndReturnsItsSubject() {
        String token = signer.sign(claims().build());
        assertThat(authenticator.authenticate(token))
                .isEqualTo(new AuthenticatedUser("alice", now.plus(Duration.ofMinutes(10))));
    }

    @Test
    void acceptsTokensFromTheDevSigner() {
        assertThat(authenticator.authenticate(signer.sign("bob", Duration.ofMinutes(5))).userId()).isEqualTo("bob");
    }

    @Test
    void refusesAnExpiredToken() {
        // Beyond the verifier's 60 s clock-skew allowance.
        refused(signer.sign(claims().expirationTime(Date.from(now.minus(Duration.ofMinutes(5)))).build()), "Expired JWT");
    }

    @Test
    void refusesATokenNotYetValid() {
        refused(signer.sign(claims().notBeforeTime(Date.from(now.plus(Duration.ofMinutes(5)))).build()), "JWT before use time");
    }

    @Test
    void refusesAWrongIssuer() {
        refused(signer.sign(claims().issuer("someone-else").build()), "iss");
    }

    @Test
    void refusesAWrongAudience() {
        refused(signer.sign(claims().audience("other-app").build()), "aud");
    }

    @Test
    void refusesATokenSignedWithAnotherSecret() {
        HmacTokenSigner other = new HmacTokenSigner("another-secret-another-secret-another-0", ISSUER, AUDIENCE,
                Clock.systemUTC());
        refused(other.sign(claims().build()), "Signed JWT rejected");
    }

    @Test
    void refusesAlgNone() {
        refused(new PlainJWT(claims().build()).serialize(), "nsecured");
    }

    @Test
    void refusesAnotherHmacAlgorithmEvenWithTheRightSecret() throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), claims().build());
        jwt.sign(new MACSigner((SECRET + SECRET).getBytes(StandardCharsets.UTF_8)));
        refused(jwt.serialize(), "Signed JWT rejected");
    }

    @Test
    void refusesAnRs256TokenInHs256Mode() throws JOSEException {
        com.nimbusds.jose.jwk.RSAKey rsa = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims().build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(rsa));
        refused(jwt.serialize(), "Signed JWT rejected");
    }

    @Test
    void refusesATamperedPayload() {
        String[] parts = signer.sign(claims().build()).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims().subject("mallory").build().toString().getBytes(StandardCharsets.UTF_8));
        refused(parts[0] + "." + forged + "." + parts[2], "Invalid signature");
    }

    @Test
    void refusesATokenWithoutSubjectOrExpiry() {
        refused(signer.sign(claims().subject(null).build()), "sub");
        refused(signer.sign(claims().expirationTime(null).build()), "exp");
    }

    @Test
    void refusesMissingAndGarbageTokens() {
        assertThatThrownBy(() -> authenticator.authenticate(null))
                .isInstanceOf(UnauthorizedException.class).hasMessage("missing bearer token");
        assertThatThrownBy(() -> authenticator.authenticate("not-a-jwt"))
                .isInstanceOf(UnauthorizedException.class).hasMessage("malformed token");
    }

    private JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    private void refused(String token, String reasonFragment) {
        assertThatThrownBy(() -> authenticator.authenticate(token))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining(reasonFragment)
                .extracting(e -> ((UnauthorizedException) e).code()).isEqualTo("UNAUTHORIZED");
    }
}
