package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.edge.ws.TokenWatch;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Token lifetimes through the real WebSocket, with no Kafka behind the edges: REFRESH_TOKEN keeps a socket open past
 * its first token, a socket whose token expires unrefreshed is closed with 4001, and an edge in JWKS mode accepts
 * only tokens signed by its published keys.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenLifetimeIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(5);
    private static final Duration REVALIDATE = Duration.ofMillis(200);
    private static final String ISSUER = "natter-dev";
    private static final String AUDIENCE = "natter";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeServer hmacEdge;
    private EdgeServer jwksEdge;
    private HttpServer jwksServer;
    private HmacTokenSigner tokens;
    private RSAKey rsa;
    private ECKey ec;

    @BeforeAll
    void startEdges() throws Exception {
        EdgeConfig hmac = EdgeConfig.fromEnv(env("edge-token-it", Map.of()));
        hmacEdge = EdgeServer.start(hmac);
        tokens = new HmacTokenSigner(hmac.jwtSecret(), hmac.jwtIssuer(), hmac.jwtAudience(), Clock.systemUTC());

        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        byte[] jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8);
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        jwksServer.start();
        jwksEdge = EdgeServer.start(EdgeConfig.fromEnv(env("edge-jwks-it", Map.of(
                "NATTER_JWT_JWKS_URL", "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks.json"))));
    }

    @AfterAll
    void stop() {
        if (hmacEdge != null) {
            hmacEdge.close();
        }
        if (jwksEdge != null) {
            jwksEdge.close();
        }
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
        http.close();
    }

    @Test
    void closesASocketWith4001WhenItsTokenExpiresUnrefreshed() {
        try (WsTestClient client = WsTestClient.connect(http, hmacEdge.port(), "alice", tokens.sign("alice", Duration.ofSeconds(2)))) {
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"PONG\"}"));
            assertThat(client.closeStatus()).succeedsWithin(FRAME_WAIT).isEqualTo(TokenWatch.EXPIRED_CLOSE_CODE);
            client.assertNoFrameWithin(Duration.ofMillis(100));
        }
    }

    @Test
    void aRefreshWithTheSameSubjectKeepsTheSocketOpenPastTheFirstExpiry() {
        String first = tokens.sign("bob", Duration.ofSeconds(2));
        try (WsTestClient client = WsTestClient.connect(http, hmacEdge.port(), "bob", first)) {
            Instant firstExpiry = expiryOf(first);
            String second = tokens.sign("bob", Duration.ofMinutes(5));
            client.send("{\"type\":\"REFRESH_TOKEN\",\"id\":\"t1\",\"token\":\"" + second + "\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame(
                    "{\"type\":\"TOKEN_REFRESHED\",\"expiresAt\":\"" + expiryOf(second) + "\"}"));
            // Several re-validation rounds after the first token's expiry, the socket still serves frames.
            await().atMost(FRAME_WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> Instant.now().isAfter(firstExpiry.plus(REVALIDATE.multipliedBy(3))));
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"PONG\"}"));
            assertThat(client.closeStatus()).isNotDone();
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void aRefreshForAnotherSubjectIsRefusedAndTheSocketStillExpiresOnItsOwnToken() {
        try (WsTestClient client = WsTestClient.connect(http, hmacEdge.port(), "carol", tokens.sign("carol", Duration.ofSeconds(2)))) {
            client.send("{\"type\":\"REFRESH_TOKEN\",\"id\":\"t2\",\"token\":\"" + tokens.sign("mallory", Duration.ofMinutes(5)) + "\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"TOKEN_SUBJECT_MISMATCH\","
                    + "\"message\":\"the token is for another user; the socket keeps its current token\",\"ref\":\"t2\"}"));
            client.send("{\"type\":\"REFRESH_TOKEN\",\"id\":\"t3\",\"token\":\"" + tokens.sign("carol", Duration.ofMinutes(5)) + "x\"}");
            JsonNode invalid = client.next(FRAME_WAIT);
            assertThat(invalid.get("code").asText()).isEqualTo("INVALID_TOKEN");
            assertThat(invalid.get("ref").asText()).isEqualTo("t3");
            assertThat(client.closeStatus()).succeedsWithin(FRAME_WAIT).isEqualTo(TokenWatch.EXPIRED_CLOSE_CODE);
        }
    }

    @Test
    void aJwksEdgeAcceptsRs256AndEs256TokensAndRefreshesAcrossKeys() throws JOSEException {
        String rsaToken = sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa), claims("dave", Duration.ofSeconds(2)));
        try (WsTestClient client = WsTestClient.connect(http, jwksEdge.port(), "dave", rsaToken)) {
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"PONG\"}"));
            String ecToken = sign(JWSAlgorithm.ES256, ec.getKeyID(), new ECDSASigner(ec), claims("dave", Duration.ofMinutes(5)));
            client.send("{\"type\":\"REFRESH_TOKEN\",\"token\":\"" + ecToken + "\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame(
                    "{\"type\":\"TOKEN_REFRESHED\",\"expiresAt\":\"" + expiryOf(ecToken) + "\"}"));
            // An HS256 token is refused in JWKS mode, also as a refresh.
            client.send("{\"type\":\"REFRESH_TOKEN\",\"id\":\"t4\",\"token\":\"" + tokens.sign("dave", Duration.ofMinutes(5)) + "\"}");
            assertThat(client.next(FRAME_WAIT).get("code").asText()).isEqualTo("INVALID_TOKEN");
        }
    }

    @Test
    void aJwksEdgeRefusesHs256AlgNoneAndKeyConfusionBeforeTheUpgrade() throws Exception {
        assertRefused(tokens.sign("eve", Duration.ofMinutes(5)));
        assertRefused(sign(JWSAlgorithm.HS256, rsa.getKeyID(), new MACSigner(rsa.toRSAPublicKey().getEncoded()),
                claims("eve", Duration.ofMinutes(5))));
        assertRefused(sign(JWSAlgorithm.HS256, rsa.getKeyID(),
                new MACSigner(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)), claims("eve", Duration.ofMinutes(5))));
        assertRefused(new PlainJWT(claims("eve", Duration.ofMinutes(5)).build()).serialize());
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(rsa.getKeyID()).generate();
        assertRefused(sign(JWSAlgorithm.RS256, stranger.getKeyID(), new RSASSASigner(stranger), claims("eve", Duration.ofMinutes(5))));
        assertRefused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa),
                claims("eve", Duration.ofMinutes(5)).expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5))))));
        assertRefused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa),
                claims("eve", Duration.ofMinutes(5)).notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(5))))));
        assertRefused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa),
                claims("eve", Duration.ofMinutes(5)).issuer("someone-else")));
        assertRefused(sign(JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa),
                claims("eve", Duration.ofMinutes(5)).audience("other-app")));
        assertThat(jwksEdge.sessionCount()).isZero();
    }

    private void assertRefused(String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jwksEdge.port() + "/ws"))
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Sec-WebSocket-Version", "13")
                .header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(body.get("message").asText()).startsWith("invalid token");
        assertThat(body.size()).isEqualTo(2);
    }

    private static Map<String, String> env(String nodeId, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                // Port 1 on loopback refuses connections: no Kafka, no registry, no Redis; none is needed here.
                "NATTER_KAFKA_BOOTSTRAP", "127.0.0.1:1",
                "NATTER_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1/apis/ccompat/v7",
                "NATTER_EDGE_PORT", "0",
                "NATTER_NODE_ID", nodeId,
                "NATTER_REDIS_URI", "redis://127.0.0.1:1",
                "NATTER_GRPC_PORT", "0",
                "NATTER_TOKEN_REVALIDATE_MS", String.valueOf(REVALIDATE.toMillis())));
        env.putAll(extra);
        return env;
    }

    private static JWTClaimsSet.Builder claims(String subject, Duration ttl) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)));
    }

    private static String sign(JWSAlgorithm algorithm, String keyId, JWSSigner signer, JWTClaimsSet.Builder claims)
            throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static Instant expiryOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode frame(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
