package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.FreePorts;
import io.natter.infra.JavaProcess;
import io.natter.infra.KafkaBroker;
import io.natter.infra.RedisServer;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.TopicNames;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
 * Presence through the real WebSocket: a broker, a registry, the topologies (room membership), a Redis and two
 * edges (A, B) with a {@value #TTL_MS} ms TTL, all in this JVM; one more edge in a child JVM is killed with SIGKILL.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceWsIT {
    private static final long TTL_MS = 2_000;
    private static final long REFRESH_MS = 600;
    private static final long GRACE_MS = 1_000;
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    /** How long "nothing more arrives" is watched: longer than the grace and the TTL. */
    private static final Duration QUIET = Duration.ofMillis(2_500);
    private static final Pattern GAUGE_LINE = Pattern.compile("(?m)^(\\w+)(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> running = new ArrayList<>();
    private Path dataDir;
    private KafkaBroker broker;
    private SchemaRegistryServer registry;
    private RedisServer redis;
    private TopologiesApp topologies;
    private EdgeServer edgeA;
    private EdgeServer edgeB;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dir) {
        long started = System.nanoTime();
        dataDir = dir;
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dir.resolve("registry"), 0));
        redis = track(RedisServer.start(dir.resolve("redis"), 0));
        broker = track(KafkaBroker.start(dir.resolve("kafka"), 0));
        broker.createTopics(TopicNames.ALL, 3);
        registry = track(registryStart.join());
        topologies = track(TopologiesApp.start(TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_TOPOLOGY_APPLICATION_ID", "natter-topologies-presence-it",
                "NATTER_TOPOLOGY_STATE_DIR", dir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0"))));
        topologies.awaitRunning(Duration.ofSeconds(90));
        edgeA = track(EdgeServer.start(EdgeConfig.fromEnv(edgeEnv("edge-a", 0, redis.uri()))));
        edgeB = track(EdgeServer.start(EdgeConfig.fromEnv(edgeEnv("edge-b", 0, redis.uri()))));
        EdgeConfig config = EdgeConfig.fromEnv(Map.of());
        tokens = new HmacTokenSigner(config.jwtSecret(), config.jwtIssuer(), config.jwtAudience(), Clock.systemUTC());
        rest = new EdgeRest(http, edgeA::port, tokens);
        awaitReady(edgeA.port());
        awaitReady(edgeB.port());
        await().atMost(Duration.ofSeconds(10)).until(() -> edgeA.presence().tracker().connectedToRedis()
                && edgeB.presence().tracker().connectedToRedis() && edgeA.presence().broadcaster().subscribed()
                && edgeB.presence().broadcaster().subscribed());
        System.out.printf("PresenceWsIT: stack up in %d ms%n", millisSince(started));
    }

    @AfterAll
    void stopStack() {
        for (AutoCloseable resource : running.reversed()) {
            EdgeRest.closeQuietly(resource);
        }
        http.close();
    }

    @Test
    void subscriberGetsTheSnapshotThenOnlineAndOfflineOfAMemberConnectingOnAnotherEdge() throws Exception {
        String ann = user("ann");
        String ben = user("ben");
        String room = room("pair");
        rest.createRoom(ann, room, "private", List.of(ben));
        try (WsTestClient atAnn = connect(edgeA, ann)) {
            awaitStatus(ann, "ONLINE");
            atAnn.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + room + "\",\"id\":\"s1\"}");
            JsonNode snapshot = atAnn.next(FRAME_WAIT);
            assertThat(snapshot.get("type").asText()).isEqualTo("PRESENCE_SNAPSHOT");
            assertThat(snapshot.get("roomId").asText()).isEqualTo(room);
            assertThat(statuses(snapshot)).containsExactly(ann + ":ONLINE", ben + ":OFFLINE");
            assertThat(snapshot.get("users").get(0).has("lastSeen")).isTrue();
            assertThat(snapshot.get("users").get(1).has("lastSeen")).isFalse();

            WsTestClient atBen = connect(edgeB, ben);
            JsonNode online = atAnn.next(FRAME_WAIT);
            assertPresence(online, ben, "ONLINE");
            assertThat(online.has("lastSeen")).isTrue();
            // The session index names the edge holding ben's socket.
            assertThat(edgeA.presence().tracker().edgesOf(ben).join()).containsExactly("edge-b");

            long closedAt = System.nanoTime();
            atBen.close();
            assertPresence(atAnn.next(FRAME_WAIT), ben, "OFFLINE");
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofSeconds(2));
            atAnn.assertNoFrameWithin(QUIET);
            assertThat(edgeA.presence().tracker().edgesOf(ben).join()).isEmpty();
        }
    }

    @Test
    void twoTabsOnTwoEdgesGiveOneOnlineAndOneOfflineAfterTheLastCloses() throws Exception {
        String cat = user("cat");
        String dan = user("dan");
        String room = room("tabs");
        rest.createRoom(cat, room, "public", List.of(dan));
        try (WsTestClient atCat = subscribed(edgeA, cat, room)) {
            WsTestClient tab1 = connect(edgeA, dan);
            WsTestClient tab2 = connect(edgeB, dan);
            assertPresence(atCat.next(FRAME_WAIT), dan, "ONLINE");
            await().atMost(Duration.ofSeconds(5)).until(() -> edgeA.presence().tracker().edgesOf(dan).join()
                    .equals(Set.of("edge-a", "edge-b")));

            tab1.close();
            atCat.assertNoFrameWithin(QUIET);
            long closedAt = System.nanoTime();
            tab2.close();
            assertPresence(atCat.next(FRAME_WAIT), dan, "OFFLINE");
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofSeconds(2));
            atCat.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void aQuickReconnectToTheOtherEdgeWithinTheGraceProducesNoOffline() throws Exception {
        String eve = user("eve");
        String fay = user("fay");
        String room = room("reload");
        rest.createRoom(eve, room, "private", List.of(fay));
        try (WsTestClient atEve = subscribed(edgeA, eve, room)) {
            WsTestClient first = connect(edgeA, fay);
            assertPresence(atEve.next(FRAME_WAIT), fay, "ONLINE");

            // A page reload: the old socket closes and the new one lands on the other edge.
            first.close();
            try (WsTestClient second = connect(edgeB, fay)) {
                atEve.assertNoFrameWithin(QUIET);
                assertThat(edgeA.presence().tracker().edgesOf(fay).join()).containsExactly("edge-b");
                assertThat(second.isOpen()).isTrue();
            }
            assertPresence(atEve.next(FRAME_WAIT), fay, "OFFLINE");
            atEve.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void nonMembersAreRefusedAndGetNoPresence() throws Exception {
        String gus = user("gus");
        String hal = user("hal");
        String ivy = user("ivy");
        String secret = room("secret");
        String open = room("open");
        rest.createRoom(gus, secret, "private", List.of(hal));
        rest.createRoom(gus, open, "public", List.of(hal));
        try (WsTestClient atIvy = connect(edgeB, ivy)) {
            atIvy.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + secret + "\",\"id\":\"p1\"}");
            assertError(atIvy.next(FRAME_WAIT), "ROOM_NOT_FOUND", "p1");
            atIvy.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + open + "\",\"id\":\"p2\"}");
            assertError(atIvy.next(FRAME_WAIT), "NOT_A_MEMBER", "p2");
            atIvy.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + room("missing") + "\",\"id\":\"p3\"}");
            assertError(atIvy.next(FRAME_WAIT), "ROOM_NOT_FOUND", "p3");

            try (WsTestClient atHal = connect(edgeA, hal)) {
                awaitStatus(hal, "ONLINE");
            }
            awaitStatus(hal, "OFFLINE");
            atIvy.assertNoFrameWithin(Duration.ofMillis(500));
        }
    }

    @Test
    void aUserInTwoSubscribedRoomsGivesOneFramePerChangeUntilUnsubscribed() throws Exception {
        String jon = user("jon");
        String kim = user("kim");
        String first = room("first");
        String second = room("second");
        rest.createRoom(jon, first, "private", List.of(kim));
        rest.createRoom(jon, second, "public", List.of(kim));
        try (WsTestClient atJon = subscribed(edgeA, jon, first)) {
            atJon.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + second + "\"}");
            JsonNode snapshot = atJon.next(FRAME_WAIT);
            assertThat(snapshot.get("roomId").asText()).isEqualTo(second);
            assertThat(statuses(snapshot)).containsExactly(jon + ":ONLINE", kim + ":OFFLINE");

            try (WsTestClient atKim = connect(edgeB, kim)) {
                assertPresence(atJon.next(FRAME_WAIT), kim, "ONLINE");
                atJon.assertNoFrameWithin(Duration.ofMillis(500));
            }
            assertPresence(atJon.next(FRAME_WAIT), kim, "OFFLINE");
            atJon.assertNoFrameWithin(Duration.ofMillis(500));

            atJon.send("{\"type\":\"UNSUBSCRIBE_PRESENCE\",\"roomId\":\"" + first + "\"}");
            assertThat(atJon.next(FRAME_WAIT)).isEqualTo(frame("PRESENCE_UNSUBSCRIBED", "roomId", first));
            atJon.send("{\"type\":\"UNSUBSCRIBE_PRESENCE\",\"roomId\":\"" + second + "\"}");
            assertThat(atJon.next(FRAME_WAIT)).isEqualTo(frame("PRESENCE_UNSUBSCRIBED", "roomId", second));
            try (WsTestClient atKim = connect(edgeB, kim)) {
                awaitStatus(kim, "ONLINE");
            }
            awaitStatus(kim, "OFFLINE");
            atJon.assertNoFrameWithin(Duration.ofMillis(500));
        }
    }

    @Test
    void aMemberAddedAfterTheSubscriptionIsFollowedToo() throws Exception {
        String lea = user("lea");
        String max = user("max");
        String room = room("grow");
        rest.createRoom(lea, room, "private", List.of());
        try (WsTestClient atLea = subscribed(edgeA, lea, room)) {
            rest.addMember(lea, room, max);
            JsonNode newcomer = atLea.next(FRAME_WAIT);
            assertPresence(newcomer, max, "OFFLINE");
            assertThat(newcomer.has("lastSeen")).as("never seen").isFalse();
            try (WsTestClient atMax = connect(edgeB, max)) {
                assertPresence(atLea.next(FRAME_WAIT), max, "ONLINE");
                atMax.send("{\"type\":\"LEAVE_ROOM\",\"roomId\":\"" + room + "\"}");
                assertThat(atMax.next(FRAME_WAIT)).isEqualTo(frame("LEFT", "roomId", room));
            }
            // max left the room before closing: lea no longer follows him.
            atLea.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsTestClient client = connect(edgeB, user("pia"))) {
            client.send("{\"type\":\"PING\"}");
            assertThat(client.next(FRAME_WAIT)).isEqualTo(json.createObjectNode().put("type", "PONG"));
            client.assertNoFrameWithin(Duration.ofMillis(300));
        }
    }

    @Test
    void metricsShowOnlineUsersAndThisEdgesSessions() throws Exception {
        // Earlier tests' users go OFFLINE within the grace; wait for a clean slate.
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(edgeA, "presence_online_users") == 0
                && gauge(edgeA, "chat_ws_active_sessions") == 0 && gauge(edgeB, "chat_ws_active_sessions") == 0);
        String ned = user("ned");
        try (WsTestClient tab1 = connect(edgeA, ned); WsTestClient tab2 = connect(edgeA, ned);
                WsTestClient oli = connect(edgeA, user("oli")); WsTestClient pam = connect(edgeB, user("pam"))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge(edgeA, "presence_online_users") == 3
                    && gauge(edgeB, "presence_online_users") == 3);
            assertThat(gauge(edgeA, "chat_ws_active_sessions")).isEqualTo(3);
            assertThat(gauge(edgeB, "chat_ws_active_sessions")).isEqualTo(1);
            HttpResponse<String> metrics = get(edgeA, "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/plain"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge(edgeA, "presence_online_users") == 0
                && gauge(edgeA, "chat_ws_active_sessions") == 0 && gauge(edgeB, "chat_ws_active_sessions") == 0);
    }

    @Test
    void anEdgeWithoutRedisServesMessagesAndAnswersPresenceUnavailable() throws Exception {
        String quinn = user("quinn");
        String room = room("noredis");
        rest.createRoom(quinn, room, "private", List.of());
        // Port 1 refuses: Redis is down for this edge from its start.
        try (EdgeServer blind = EdgeServer.start(EdgeConfig.fromEnv(edgeEnv("edge-blind", 0, "redis://127.0.0.1:1")))) {
            awaitReady(blind.port());
            try (WsTestClient atQuinn = connect(blind, quinn)) {
                atQuinn.send("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + room + "\",\"content\":\"hi\",\"clientMsgId\":\"c1\"}");
                List<String> types = List.of(atQuinn.next(FRAME_WAIT).get("type").asText(),
                        atQuinn.next(FRAME_WAIT).get("type").asText());
                assertThat(types).containsExactlyInAnyOrder("MESSAGE", "ACK");
                atQuinn.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + room + "\",\"id\":\"p9\"}");
                assertError(atQuinn.next(FRAME_WAIT), "PRESENCE_UNAVAILABLE", "p9");
                atQuinn.send("{\"type\":\"PING\"}");
                assertThat(atQuinn.next(FRAME_WAIT).get("type").asText()).isEqualTo("PONG");
                assertThat(gauge(blind, "chat_ws_active_sessions")).isEqualTo(1);
                atQuinn.assertNoFrameWithin(Duration.ofMillis(300));
            }
        }
    }

    @Test
    void anEdgeKilledWithSigkillTurnsItsUserOfflineExactlyOnceWithinTheTtl() throws Exception {
        String rex = user("rex");
        String sue = user("sue");
        String room = room("doomed");
        rest.createRoom(rex, room, "private", List.of(sue));
        int port = FreePorts.pick();
        Map<String, String> env = edgeEnv("edge-doomed", port, redis.uri());
        JavaProcess doomed = track(JavaProcess.start("edge-doomed", List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.natter.schemas.avro",
                        "-cp", System.getProperty("java.class.path"), EdgeServer.class.getName()),
                env, dataDir, dataDir.resolve("edge-doomed.log")));
        awaitReady(port, doomed);
        try (WsTestClient atRex = subscribed(edgeB, rex, room)) {
            WsTestClient atSue = WsTestClient.connect(http, port, sue, token(sue));
            assertPresence(atRex.next(FRAME_WAIT), sue, "ONLINE");
            assertThat(edgeB.presence().tracker().edgesOf(sue).join()).containsExactly("edge-doomed");

            ProcessHandle.of(doomed.pid()).ifPresent(ProcessHandle::destroyForcibly);
            doomed.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            long killedAt = System.nanoTime();

            assertPresence(atRex.next(Duration.ofMillis(TTL_MS + 5_000)), sue, "OFFLINE");
            long tookMs = millisSince(killedAt);
            System.out.printf("PresenceWsIT: OFFLINE %d ms after SIGKILL (TTL %d ms)%n", tookMs, TTL_MS);
            assertThat(tookMs).isLessThan(TTL_MS + 5_000);
            atRex.assertNoFrameWithin(QUIET);
            assertThat(edgeB.presence().tracker().edgesOf(sue).join()).isEmpty();
            atSue.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Map<String, String> edgeEnv(String nodeId, int port, String redisUri) {
        Map<String, String> env = new HashMap<>();
        env.put("NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers());
        env.put("NATTER_SCHEMA_REGISTRY_URL", registry.url());
        env.put("NATTER_EDGE_PORT", Integer.toString(port));
        env.put("NATTER_NODE_ID", nodeId);
        env.put("NATTER_REQUEST_TIMEOUT_MS", "15000");
        env.put("NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort());
        env.put("NATTER_REDIS_URI", redisUri);
        env.put("NATTER_PRESENCE_TTL_MS", Long.toString(TTL_MS));
        env.put("NATTER_PRESENCE_REFRESH_MS", Long.toString(REFRESH_MS));
        env.put("NATTER_PRESENCE_OFFLINE_GRACE_MS", Long.toString(GRACE_MS));
        env.put("NATTER_GRPC_PORT", "0");
        return env;
    }

    /** Connects {@code user} to {@code edge} and subscribes to {@code room}'s presence, consuming the snapshot. */
    private WsTestClient subscribed(EdgeServer edge, String user, String room) {
        WsTestClient client = connect(edge, user);
        awaitStatus(user, "ONLINE");
        client.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + room + "\"}");
        JsonNode snapshot = client.next(FRAME_WAIT);
        assertThat(snapshot.get("type").asText()).as("%s", snapshot).isEqualTo("PRESENCE_SNAPSHOT");
        assertThat(snapshot.get("roomId").asText()).isEqualTo(room);
        return client;
    }

    private void awaitStatus(String user, String status) {
        await().atMost(Duration.ofSeconds(5)).until(() -> edgeA.presence().tracker().status(List.of(user)).join()
                .get(user).status().name().equals(status));
    }

    private static List<String> statuses(JsonNode snapshot) {
        List<String> users = new ArrayList<>();
        snapshot.get("users").forEach(entry -> {
            assertThat(fieldNames(entry)).isSubsetOf("userId", "status", "lastSeen");
            users.add(entry.get("userId").asText() + ":" + entry.get("status").asText());
        });
        return users;
    }

    /** A PRESENCE frame; {@code lastSeen} is absent only for a user never seen online. */
    private static void assertPresence(JsonNode frame, String user, String status) {
        assertThat(fieldNames(frame)).as("%s", frame).isIn(List.of("type", "userId", "status", "lastSeen"),
                List.of("type", "userId", "status"));
        assertThat(frame.get("type").asText()).isEqualTo("PRESENCE");
        assertThat(frame.get("userId").asText()).isEqualTo(user);
        assertThat(frame.get("status").asText()).isEqualTo(status);
    }

    private static void assertError(JsonNode frame, String code, String ref) {
        assertThat(fieldNames(frame)).as("%s", frame).containsExactly("type", "code", "message", "ref");
        assertThat(frame.get("type").asText()).isEqualTo("ERROR");
        assertThat(frame.get("code").asText()).isEqualTo(code);
        assertThat(frame.get("ref").asText()).isEqualTo(ref);
    }

    private JsonNode frame(String type, String field, String value) {
        return json.createObjectNode().put("type", type).put(field, value);
    }

    /** The value of the untagged-or-tagged Prometheus sample {@code name} on {@code edge}'s {@code /metrics}. */
    private double gauge(EdgeServer edge, String name) throws Exception {
        HttpResponse<String> response = get(edge, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher line = GAUGE_LINE.matcher(response.body());
        while (line.find()) {
            if (line.group(1).equals(name)) {
                return Double.parseDouble(line.group(2));
            }
        }
        throw new AssertionError(name + " not in /metrics:\n" + response.body());
    }

    private HttpResponse<String> get(EdgeServer edge, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady(int port) {
        awaitReady(port, null);
    }

    private void awaitReady(int port, JavaProcess process) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (process != null && !process.isAlive()) {
                throw new AssertionError(process.name() + " exited; log tail:\n" + process.logTail(40));
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private WsTestClient connect(EdgeServer edge, String user) {
        return WsTestClient.connect(http, edge.port(), user, token(user));
    }

    private String token(String user) {
        return tokens.sign(user, Duration.ofMinutes(10));
    }

    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String room(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private <T extends AutoCloseable> T track(T resource) {
        running.add(resource);
        return resource;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

}
