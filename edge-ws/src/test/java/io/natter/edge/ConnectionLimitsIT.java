package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection caps and the handshake rate through real WebSocket upgrades: each refusal comes before the upgrade
 * with its HTTP status, JSON body and (where it applies) {@code Retry-After}, is counted in {@code /metrics}, and
 * leaves the sockets already open working. One edge per limit, so no test spends another's budget.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> NO_HANDSHAKE_LIMIT = Map.of(
            "NATTER_HANDSHAKE_RATE_PER_SECOND", "1000", "NATTER_HANDSHAKE_BURST", "1000");
    private static final int USER_CAP = 2;
    private static final int NODE_CAP = 3;
    private static final int HANDSHAKE_BURST = 5;
    private static final Pattern REFUSED_METRIC =
            Pattern.compile("(?m)^chat_ws_handshakes_refused_total\\{reason=\"([A-Z_]+)\"} ([0-9.]+)$");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<WsTestClient> clients = new ArrayList<>();
    private EdgeItStack stack;
    private EdgeServer userCapEdge;
    private EdgeServer nodeCapEdge;
    private EdgeServer floodEdge;
    private HmacTokenSigner tokens;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "connection-limits-it", 1, Map.of());
        userCapEdge = stack.startEdge("edge-user-cap", with(NO_HANDSHAKE_LIMIT,
                "NATTER_MAX_CONNECTIONS_PER_USER", String.valueOf(USER_CAP)));
        nodeCapEdge = stack.startEdge("edge-node-cap", with(NO_HANDSHAKE_LIMIT,
                "NATTER_MAX_CONNECTIONS", String.valueOf(NODE_CAP)));
        floodEdge = stack.startEdge("edge-flood", Map.of(
                "NATTER_HANDSHAKE_RATE_PER_SECOND", "1", "NATTER_HANDSHAKE_BURST", String.valueOf(HANDSHAKE_BURST)));
        tokens = stack.tokens();
    }

    @AfterAll
    void stopStack() {
        clients.forEach(EdgeRest::closeQuietly);
        stack.close();
        http.close();
    }

    @Test
    void theUserCapRefusesTheNextSocketWith429AnotherUserStillConnectsAndAClosedSocketFreesItsSlot() throws Exception {
        int port = userCapEdge.port();
        String room = "caps-" + UUID.randomUUID();
        new EdgeRest(http, userCapEdge::port, tokens).createRoom("alice", room, "private", List.of());
        WsTestClient first = connect(port, "alice");
        WsTestClient second = connect(port, "alice");

        HttpResponse<?> refused = refusedHandshake(port, "alice");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(json.readTree(refused.body().toString())).isEqualTo(json.createObjectNode()
                .put("code", "TOO_MANY_CONNECTIONS").put("message", "user alice already holds 2 connections on this edge"));

        WsTestClient bob = connect(port, "bob");

        second.close();
        await("alice's second socket closed on the edge").atMost(FRAME_WAIT).until(() -> userCapEdge.sessionCount() == 2);
        // Upgrades Jetty refuses after the caps passed (not a real upgrade: 405) give their slot back at once.
        for (int i = 0; i < 3; i++) {
            assertThat(plainUpgradeRequest(port, "alice").statusCode()).isEqualTo(405);
        }
        WsTestClient third = connect(port, "alice");
        assertThat(refusedHandshake(port, "alice").statusCode()).as("alice holds exactly her cap again").isEqualTo(429);

        // The sockets that were open all along still work, to Kafka and back.
        first.send("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + room + "\",\"content\":\"still here\",\"clientMsgId\":\"c1\"}");
        assertThat(ackAndMessage(first)).isEqualTo(List.of("ACK c1", "MESSAGE still here"));
        JsonNode copy = third.next(FRAME_WAIT);
        assertThat(copy.get("type").asText() + " " + copy.get("content").asText()).isEqualTo("MESSAGE still here");
        for (WsTestClient client : List.of(first, bob, third)) {
            assertPingPong(client);
        }
        assertThat(refusals(userCapEdge)).isEqualTo(counts(2, 0, 0, 0));
    }

    @Test
    void handshakesCreateNoHttpSessionSoTheEdgeSetsNoCookieAndKeepsNothingPerClosedConnection() throws Exception {
        EdgeServer edge = stack.startEdge("edge-no-sessions", NO_HANDSHAKE_LIMIT);
        RawWsClient accepted = RawWsClient.connect(edge.port(), "erin", tokens.sign("erin", Duration.ofMinutes(10)));
        String upgrade = accepted.upgradeResponse();
        accepted.close();
        HttpResponse<String> unauthorized = plainUpgradeRequest(edge.port(), null);

        // Javalin's upgrade asks the servlet request for a session; a kept session (and its JSESSIONID cookie)
        // per handshake, even a refused one, was memory that outlived the connection.
        assertThat(upgrade).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("set-cookie");
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(edge.httpSessionsKept()).isZero();
    }

    @Test
    void theNodeCapRefusesAnyUserWith503EdgeFullUntilASocketCloses() throws Exception {
        int port = nodeCapEdge.port();
        List<WsTestClient> open = new ArrayList<>();
        for (int i = 1; i <= NODE_CAP; i++) {
            open.add(connect(port, "node-user-" + i));
        }

        HttpResponse<?> refused = refusedHandshake(port, "newcomer");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isEmpty();
        assertThat(json.readTree(refused.body().toString())).isEqualTo(json.createObjectNode()
                .put("code", "EDGE_FULL").put("message", "this edge holds its maximum of 3 connections: connect to another edge"));

        open.removeFirst().close();
        await("a socket closed on the edge").atMost(FRAME_WAIT).until(() -> nodeCapEdge.sessionCount() == NODE_CAP - 1);
        open.add(connect(port, "newcomer"));
        for (WsTestClient client : open) {
            assertPingPong(client);
        }
        assertThat(refusals(nodeCapEdge)).isEqualTo(counts(0, 1, 0, 0));
    }

    @Test
    void aHandshakeBurstFromOneAddressIsRefusedWith429BeforeTheTokenIsCheckedAndAllowedAgainAfterTheRefill()
            throws Exception {
        int port = floodEdge.port();
        List<WsTestClient> accepted = new ArrayList<>();
        List<HttpResponse<?>> refused = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < HANDSHAKE_BURST + 3; i++) {
            Object outcome = attempt(port, "dave");
            if (outcome instanceof WsTestClient client) {
                accepted.add(client);
            } else {
                refused.add((HttpResponse<?>) outcome);
            }
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // Without a token: still 429, not 401, as the rate is checked before any token work.
        HttpResponse<?> tokenless = plainUpgradeRequest(port, null);

        // The burst at once, plus at most what the rate (1/s) refilled meanwhile.
        assertThat(accepted.size()).isBetween(HANDSHAKE_BURST, HANDSHAKE_BURST + 1 + (int) (elapsedMs / 1000));
        assertThat(refused).isNotEmpty();
        for (HttpResponse<?> response : refused) {
            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
            JsonNode body = json.readTree(response.body().toString());
            assertThat(body.get("code").asText()).isEqualTo("HANDSHAKE_RATE_LIMITED");
            assertThat(body.get("message").asText()).matches("too many handshakes from this address: retry in \\d+ ms");
            assertThat(body.size()).isEqualTo(2);
        }
        assertThat(tokenless.statusCode()).isEqualTo(429);
        assertThat(json.readTree(tokenless.body().toString()).get("code").asText()).isEqualTo("HANDSHAKE_RATE_LIMITED");
        assertThat(refusals(floodEdge)).isEqualTo(counts(0, 0, refused.size() + 1, 0));

        long refilledAfter = System.nanoTime();
        WsTestClient afterRefill = (WsTestClient) await("a handshake allowed after the refill")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1100))
                .until(() -> attempt(port, "dave"), WsTestClient.class::isInstance);
        System.out.printf("ConnectionLimitsIT: %d of %d handshakes accepted in %d ms, %d refused; allowed again "
                        + "%d ms later%n", accepted.size(), HANDSHAKE_BURST + 3, elapsedMs, refused.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refilledAfter));
        accepted.add(afterRefill);
        for (WsTestClient client : accepted) {
            assertPingPong(client);
        }
    }

    private WsTestClient connect(int port, String user) {
        WsTestClient client = WsTestClient.connect(http, port, user, tokens.sign(user, Duration.ofMinutes(10)));
        clients.add(client);
        return client;
    }

    /** An open client, or the HTTP response that refused the upgrade. */
    private Object attempt(int port, String user) {
        try {
            return connect(port, user);
        } catch (RuntimeException e) {
            return handshakeResponse(e);
        }
    }

    private HttpResponse<?> refusedHandshake(int port, String user) {
        return handshakeResponse(catchThrowable(() -> connect(port, user)));
    }

    private static HttpResponse<?> handshakeResponse(Throwable failure) {
        assertThat(failure).as("a refused upgrade").hasCauseInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) failure.getCause()).getResponse();
    }

    /** A GET with WebSocket headers but no {@code Upgrade}: it passes the edge's checks, and Jetty refuses it (405). */
    private HttpResponse<String> plainUpgradeRequest(int port, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ws"))
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Sec-WebSocket-Version", "13");
        if (user != null) {
            request.header("Authorization", "Bearer " + tokens.sign(user, Duration.ofMinutes(10)));
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sender's two frames for one send (ACK and its own MESSAGE, in either order), sorted. */
    private static List<String> ackAndMessage(WsTestClient client) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode frame = client.next(FRAME_WAIT);
            frames.add(frame.get("type").asText() + " " + frame.path(frame.has("clientMsgId") && frame.get("type")
                    .asText().equals("ACK") ? "clientMsgId" : "content").asText());
        }
        return frames.stream().sorted().toList();
    }

    private static void assertPingPong(WsTestClient client) {
        client.send("{\"type\":\"PING\"}");
        assertThat(client.next(FRAME_WAIT).get("type").asText()).as("%s answers PING", client).isEqualTo("PONG");
    }

    /** The refusal counter of every reason, from the edge's {@code /metrics}. */
    private Map<String, Double> refusals(EdgeServer edge) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> counts = new TreeMap<>();
        Matcher matcher = REFUSED_METRIC.matcher(text);
        while (matcher.find()) {
            counts.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        return counts;
    }

    private static Map<String, Double> counts(int tooManyConnections, int edgeFull, int rateLimited, int shuttingDown) {
        return new TreeMap<>(Map.of("TOO_MANY_CONNECTIONS", (double) tooManyConnections, "EDGE_FULL", (double) edgeFull,
                "HANDSHAKE_RATE_LIMITED", (double) rateLimited, "SHUTTING_DOWN", (double) shuttingDown));
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> env = new TreeMap<>(base);
        env.put(key, value);
        return env;
    }
}
