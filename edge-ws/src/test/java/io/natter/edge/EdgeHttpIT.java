package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The edge's HTTP and WebSocket surface with no Kafka behind it: authentication before the upgrade,
 * frame errors on a live socket, REST validation, health. The message path is {@link MessagePathIT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeHttpIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(5);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeConfig config;
    private EdgeServer edge;
    private HmacTokenSigner tokens;

    @BeforeAll
    void startEdgeWithoutKafka() {
        // Port 1 on loopback refuses connections: Kafka is "down" for the whole class.
        config = EdgeConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", "127.0.0.1:1",
                "NATTER_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1/apis/ccompat/v7",
                "NATTER_EDGE_PORT", "0",
                "NATTER_NODE_ID", "edge-http-it",
                // No Redis (port 1 refuses): presence degrades, messaging is unaffected; gRPC on a free port.
                "NATTER_REDIS_URI", "redis://127.0.0.1:1",
                "NATTER_GRPC_PORT", "0",
                "NATTER_MAX_FRAME_BYTES", "8192",
                "NATTER_REQUEST_TIMEOUT_MS", "1000"));
        edge = EdgeServer.start(config);
        tokens = new HmacTokenSigner(config.jwtSecret(), config.jwtIssuer(), config.jwtAudience(), Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        if (edge != null) {
            edge.close();
        }
        http.close();
    }

    @Test
    void refusesTheUpgradeWith401AndAJsonBodyWhenTheTokenIsMissing() throws Exception {
        HttpResponse<String> response = upgradeAttempt(null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json.readTree(response.body()))
                .isEqualTo(json.readTree("{\"code\":\"UNAUTHORIZED\",\"message\":\"missing bearer token\"}"));
    }

    @Test
    void refusesTheUpgradeWith401WhenTheTokenIsInvalid() throws Exception {
        HttpResponse<String> response = upgradeAttempt("Bearer " + tokens.sign("alice", Duration.ofMinutes(1)) + "x");
        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(body.get("message").asText()).startsWith("invalid token");
    }

    @Test
    void aRealWebSocketClientWithoutTokenSeesTheHandshakeFailWith401() {
        Throwable failure = catchThrowable(() -> http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + edge.port() + "/ws"), new java.net.http.WebSocket.Listener() { })
                .join());
        assertThat(failure).isInstanceOf(CompletionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode()).isEqualTo(401);
        assertThat(edge.sessionCount()).isZero();
    }

    @Test
    void restCallsNeedAToken() throws Exception {
        HttpResponse<String> response = post("/api/rooms", null, "{\"name\":\"x\",\"visibility\":\"public\"}");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json.readTree(response.body()))
                .isEqualTo(json.readTree("{\"code\":\"UNAUTHORIZED\",\"message\":\"missing bearer token\"}"));
    }

    @Test
    void restValidatesTheBodyBeforeTouchingKafka() throws Exception {
        String token = tokens.sign("alice", Duration.ofMinutes(1));
        assertError(post("/api/rooms", token, "{not json"), 400, "INVALID_REQUEST", null);
        assertError(post("/api/rooms", token, "{\"visibility\":\"public\"}"), 400, "INVALID_REQUEST", "name is required");
        assertError(post("/api/rooms", token, "{\"name\":\"n\",\"visibility\":\"secret\"}"), 400, "INVALID_REQUEST",
                "visibility must be \"public\" or \"private\"");
        assertError(post("/api/rooms", token, "{\"name\":\"n\",\"visibility\":\"public\",\"members\":[\" \"]}"), 400,
                "INVALID_REQUEST", "members[] is required");
        assertError(post("/api/rooms", token, "{\"roomId\":\"" + "r".repeat(129) + "\",\"name\":\"n\",\"visibility\":\"public\"}"),
                400, "INVALID_REQUEST", "roomId is longer than 128 characters");
        assertError(post("/api/rooms/r1/members", token, "{}"), 400, "INVALID_REQUEST", "userId is required");
    }

    @Test
    void roomRequestsFailWith503WhenKafkaIsDown() throws Exception {
        String token = tokens.sign("alice", Duration.ofMinutes(1));
        HttpResponse<String> response = post("/api/rooms", token, "{\"name\":\"n\",\"visibility\":\"public\"}");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json.readTree(response.body()).get("code").asText()).isIn("TIMEOUT", "UNAVAILABLE");
    }

    @Test
    void healthIsLiveButNotReadyWithoutKafka() throws Exception {
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json.readTree(live.body())).isEqualTo(json.readTree("{\"status\":\"UP\"}"));
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(json.readTree(ready.body())).isEqualTo(json.readTree("{\"status\":\"DOWN\"}"));
    }

    @Test
    void answersFrameErrorsAndKeepsTheSocketOpen() {
        try (WsTestClient client = WsTestClient.connect(http, edge.port(), "alice", tokens.sign("alice", Duration.ofMinutes(1)))) {
            client.send("{oops");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"MALFORMED_FRAME\",\"message\":\"frame is not valid JSON\"}"));
            client.send("{\"type\":\"REFRESH_TOKEN\",\"id\":\"h1\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"INVALID_FRAME\",\"message\":\"token is required\",\"ref\":\"h1\"}"));
            client.send("{\"type\":\"HISTORY\",\"id\":\"h2\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"INVALID_FRAME\",\"message\":\"roomId is required\",\"ref\":\"h2\"}"));
            client.send("{\"type\":\"WAVE\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"UNKNOWN_TYPE\",\"message\":\"unknown frame type WAVE\"}"));
            client.send("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"clientMsgId\":\"c1\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"INVALID_FRAME\",\"message\":\"content is required\",\"ref\":\"c1\"}"));
            client.send("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"clientMsgId\":\"c2\",\"content\":\"" + "x".repeat(4097) + "\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"ERROR\",\"code\":\"CONTENT_TOO_LARGE\",\"message\":\"content is 4097 bytes, the limit is 4096\",\"ref\":\"c2\"}"));
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"PONG\"}"));
            client.assertNoFrameWithin(Duration.ofMillis(300));
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void acceptsTheTokenAsQueryParameterAndTracksTheSession() {
        try (WsTestClient client = WsTestClient.connectWithQueryToken(http, edge.port(), "bob", tokens.sign("bob", Duration.ofMinutes(1)))) {
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(frame("{\"type\":\"PONG\"}"));
            assertThat(edge.sessionCount()).isPositive();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.sessionCount() == 0);
    }

    @Test
    void closesTheSocketWith1009WhenAFrameIsTooLarge() {
        try (WsTestClient client = WsTestClient.connect(http, edge.port(), "carol", tokens.sign("carol", Duration.ofMinutes(1)))) {
            client.send("{\"type\":\"PING\",\"pad\":\"" + "x".repeat(9000) + "\"}");
            assertThat(client.closeStatus()).succeedsWithin(FRAME_WAIT).isEqualTo(1009);
        }
    }

    private JsonNode frame(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void assertError(HttpResponse<String> response, int status, String code, String message) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").asText()).isEqualTo(code);
        if (message != null) {
            assertThat(body.get("message").asText()).isEqualTo(message);
        }
        assertThat(body.size()).isEqualTo(2);
    }

    /** A GET that Javalin routes as a WebSocket upgrade (it has Sec-WebSocket-Key), so we can read the refusal's body. */
    private HttpResponse<String> upgradeAttempt(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/ws"))
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Sec-WebSocket-Version", "13");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
