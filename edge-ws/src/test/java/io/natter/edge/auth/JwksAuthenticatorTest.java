package io.natter.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.natter.edge.error.UnauthorizedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** {@link JwtAuthenticator#jwks} against a real HTTP server publishing an RSA and an EC public key. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwksAuthenticatorTest {
    private static final String ISSUER = "natter-test";
    private static final String AUDIENCE = "natter";

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final AtomicInteger fetches = new AtomicInteger();
    private RSAKey rsa;
    private ECKey ec;
    private HttpServer server;
    private JwtAuthenticator authenticator;

    @BeforeAll
    void publishKeys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        byte[] jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString()
                .getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        server.start();
        authenticator = JwtAuthenticator.jwks(jwksUrl(), List.of("RS256", "ES256"), ISSUER, AUDIENCE);
    }

    @AfterAll
    void stop() {
        server.stop(0);
    }

    @Test
    void acceptsRs256AndEs256TokensSignedByPublishedKeys() throws JOSEException {
        AuthenticatedUser expected = new AuthenticatedUser("alice", now.plus(Duration.ofMinutes(10)));
        assertThat(authenticator.authenticate(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa), claims())))
                .isEqualTo(expected);
        assertThat(authenticator.authenticate(sign(JWSAlgorithm.ES256, ec.getKeyID(), new ECDSASigner(ec), claims())))
                .isEqualTo(expected);
    }

    @Test
    void cachesTheKeySetAcrossTokens() throws JOSEException {
        authenticator.authenticate(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa), claims()));
        int after = fetches.get();
        for (int i = 0; i < 5; i++) {
            authenticator.authenticate(sign(JWSAlgorithm.ES256, ec.getKeyID(), new ECDSASigner(ec), claims()));
        }
        assertThat(fetches.get()).isEqualTo(after).isPositive();
    }

    @Test
    void refusesKeyConfusionHs256SignedWithTheRsaPublicKey() throws JOSEException {
        byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
        refused(sign(JWSAlgorithm.HS256, rsa.getKeyID(), new MACSigner(publicKeyBytes), claims()), "Signed JWT rejected");
        byte[] publicJwkBytes = rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        refused(sign(JWSAlgorithm.HS256, null, new MACSigner(publicJwkBytes), claims()), "Signed JWT rejected");
    }

    @Test
    void refusesAlgNone() {
        refused(new PlainJWT(claims().build()).serialize(), "nsecured");
    }

    @Test
    void refusesAKeyNotInTheSet() throws JOSEException {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(rsa.getKeyID()).generate();
        refused(sign(JWSAlgorithm.RS256, stranger.getKeyID(), new RSASSASigner(stranger), claims()), "Signed JWT rejected");
        ECKey unknownKid = new ECKeyGenerator(Curve.P_256).keyID("ec-unknown").generate();
        refused(sign(JWSAlgorithm.ES256, unknownKid.getKeyID(), new ECDSASigner(unknownKid), claims()),
                "Signed JWT rejected");
    }

    @Test
    void refusesAnAlgorithmNotConfigured() throws JOSEException {
        refused(sign(JWSAlgorithm.RS512, rsa.getKeyID(), new RSASSASigner(rsa), claims()), "Signed JWT rejected");
    }

    @Test
    void refusesATamperedPayload() throws JOSEException {
        String[] parts = sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa), claims()).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims().subject("mallory").build().toString().getBytes(StandardCharsets.UTF_8));
        refused(parts[0] + "." + forged + "." + parts[2], "Invalid signature");
    }

    @Test
    void checksTimeAndAudienceClaimsAsWithHs256() throws JOSEException {
        RSASSASigner signer = new RSASSASigner(rsa);
        refused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), signer,
                claims().expirationTime(Date.from(now.minus(Duration.ofMinutes(5))))), "Expired JWT");
        refused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), signer,
                claims().notBeforeTime(Date.from(now.plus(Duration.ofMinutes(5))))), "JWT before use time");
        refused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), signer, claims().issuer("someone-else")), "iss");
        refused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), signer, claims().audience("other-app")), "aud");
    }

    @Test
    void refusesEveryTokenWhenTheKeySetCannotBeFetched() throws Exception {
        JwtAuthenticator unreachable = JwtAuthenticator.jwks(URI.create("http://127.0.0.1:1/jwks.json"),
                List.of("RS256"), ISSUER, AUDIENCE);
        assertThatThrownBy(() -> unreachable.authenticate(
                sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa), claims())))
                .isInstanceOf(UnauthorizedException.class).hasMessageStartingWith("invalid token");
    }

    @Test
    void refusesHmacAlgorithmsAsConfiguration() {
        assertThatThrownBy(() -> JwtAuthenticator.jwks(jwksUrl(), List.of("HS256"), ISSUER, AUDIENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("JWKS tokens cannot use algorithm HS256");
    }

    private URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    private static String sign(JWSAlgorithm algorithm, String keyId, JWSSigner signer, JWTClaimsSet.Builder claims)
            throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims.build());
        jwt.sign(signer);
        return jwt.serialize();
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
