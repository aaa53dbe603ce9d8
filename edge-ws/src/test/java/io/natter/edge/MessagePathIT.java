package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first message path end to end, through the real WebSocket: a KRaft broker and Apicurio registry,
 * the room topology (exactly-once) and an edge, all in this JVM on free loopback ports.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessagePathIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final int PARTITIONS = 3;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "message-path-it", PARTITIONS, Map.of());
        edge = stack.startEdge("edge-it", Map.of());
        tokens = stack.tokens();
        rest = new EdgeRest(http, edge::port, tokens);
    }

    @AfterAll
    void stopStack() {
        stack.close();
        http.close();
    }

    @Test
    void everyMemberReceivesEveryMessageOnceInSeqOrderAndNonMembersAreRefused() throws Exception {
        String general = "general-" + UUID.randomUUID();
        String secret = "secret-" + UUID.randomUUID();
        try (WsTestClient alice = connect("alice");
             WsTestClient bob = connect("bob");
             WsTestClient carol = connect("carol")) {
            assertThat(rest.createRoom("alice", general, "public", List.of("bob"))).isEqualTo(general);
            assertThat(rest.createRoom("bob", secret, "private", List.of("carol"))).isEqualTo(secret);

            for (int i = 1; i <= 3; i++) {
                alice.send(send(general, "alice-general-" + i, "a-g-" + i));
                bob.send(send(general, "bob-general-" + i, "b-g-" + i));
                bob.send(send(secret, "bob-secret-" + i, "b-s-" + i));
                carol.send(send(secret, "carol-secret-" + i, "c-s-" + i));
            }
            carol.send(send(general, "carol-intrudes", "c-bad"));

            Frames atAlice = Frames.collect(alice, 6 + 3);
            Frames atBob = Frames.collect(bob, 12 + 6);
            Frames atCarol = Frames.collect(carol, 6 + 3 + 1);
            for (WsTestClient client : List.of(alice, bob, carol)) {
                client.assertNoFrameWithin(QUIET);
            }

            List<String> generalContents = List.of("alice-general-1", "alice-general-2", "alice-general-3",
                    "bob-general-1", "bob-general-2", "bob-general-3");
            List<String> secretContents = List.of("bob-secret-1", "bob-secret-2", "bob-secret-3",
                    "carol-secret-1", "carol-secret-2", "carol-secret-3");
            atAlice.assertRoom(general, generalContents);
            atBob.assertRoom(general, generalContents);
            atBob.assertRoom(secret, secretContents);
            atCarol.assertRoom(secret, secretContents);
            assertThat(atAlice.messages).hasSize(6);
            assertThat(atCarol.messages).hasSize(6);

            atAlice.assertAcks(Map.of("a-g-1", "alice-general-1", "a-g-2", "alice-general-2", "a-g-3", "alice-general-3"));
            atBob.assertAcks(Map.of("b-g-1", "bob-general-1", "b-g-2", "bob-general-2", "b-g-3", "bob-general-3",
                    "b-s-1", "bob-secret-1", "b-s-2", "bob-secret-2", "b-s-3", "bob-secret-3"));
            atCarol.assertAcks(Map.of("c-s-1", "carol-secret-1", "c-s-2", "carol-secret-2", "c-s-3", "carol-secret-3"));

            assertThat(atAlice.errors).isEmpty();
            assertThat(atBob.errors).isEmpty();
            assertThat(atCarol.errors).hasSize(1);
            JsonNode error = atCarol.errors.getFirst();
            assertThat(error.get("code").asText()).isEqualTo("NOT_A_MEMBER");
            assertThat(error.get("ref").asText()).isEqualTo("c-bad");
            assertThat(error.get("message").asText()).isNotBlank();
            assertThat(fieldNames(error)).containsExactlyInAnyOrder("type", "code", "message", "ref");

            // The record of truth holds exactly the accepted messages, each once, and not the refused one.
            Set<String> expected = new HashSet<>();
            atBob.messages.forEach(m -> expected.add(m.get("roomId").asText() + "|" + m.get("seq").asLong() + "|"
                    + m.get("senderId").asText() + "|" + m.get("content").asText()));
            assertThat(expected).hasSize(12);
            assertThat(sentRecords(Set.of(general, secret))).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void anEdgeWithMoreFanoutThreadsThanPartitionsDeliversEveryRoomOnceAndInOrder() throws Exception {
        // Four fan-out threads over three partitions: one partition each, and one thread with none (still ready).
        EdgeServer sliced = stack.startEdge("edge-sliced", Map.of("NATTER_FANOUT_THREADS", "4"));
        Map<Integer, List<String>> roomsByPartition = new HashMap<>();
        while (roomsByPartition.values().stream().mapToInt(List::size).sum() < 2 * PARTITIONS
                || roomsByPartition.size() < PARTITIONS) {
            String room = "sliced-" + UUID.randomUUID();
            List<String> rooms = roomsByPartition.computeIfAbsent(partitionOf(room), p -> new ArrayList<>());
            if (rooms.size() < 2) {
                rooms.add(room);
            }
        }
        List<String> rooms = roomsByPartition.values().stream().flatMap(List::stream).toList();
        int perSender = 4;
        try (WsTestClient xena = WsTestClient.connect(http, sliced.port(), "xena", tokens.sign("xena", Duration.ofMinutes(10)));
             WsTestClient yuri = WsTestClient.connect(http, sliced.port(), "yuri", tokens.sign("yuri", Duration.ofMinutes(10)))) {
            for (String room : rooms) {
                rest.createRoom("xena", room, "private", List.of("yuri"));
            }
            Map<String, String> xenaAcks = new HashMap<>();
            Map<String, String> yuriAcks = new HashMap<>();
            for (int i = 1; i <= perSender; i++) {
                for (String room : rooms) {
                    String n = room.substring(room.length() - 6) + "-" + i;
                    xena.send(send(room, "xena-" + n, "s-" + n));
                    yuri.send(send(room, "yuri-" + n, "t-" + n));
                    xenaAcks.put("s-" + n, "xena-" + n);
                    yuriAcks.put("t-" + n, "yuri-" + n);
                }
            }
            int messages = rooms.size() * 2 * perSender;
            Frames atXena = Frames.collect(xena, messages + rooms.size() * perSender);
            Frames atYuri = Frames.collect(yuri, messages + rooms.size() * perSender);
            xena.assertNoFrameWithin(QUIET);
            yuri.assertNoFrameWithin(QUIET);

            for (String room : rooms) {
                String tag = room.substring(room.length() - 6);
                List<String> contents = new ArrayList<>();
                for (int i = 1; i <= perSender; i++) {
                    contents.add("xena-" + tag + "-" + i);
                    contents.add("yuri-" + tag + "-" + i);
                }
                atXena.assertRoom(room, contents);
                atYuri.assertRoom(room, contents);
            }
            assertThat(atXena.messages).hasSize(messages);
            assertThat(atYuri.messages).hasSize(messages);
            atXena.assertAcks(xenaAcks);
            atYuri.assertAcks(yuriAcks);
            assertThat(atXena.errors).isEmpty();
            assertThat(atYuri.errors).isEmpty();
        }
    }

    @Test
    void refusesTheUpgradeWith401AndAJsonBodyBeforeAnyWebSocket() throws Exception {
        for (String authorization : new String[] {null, "Bearer not-a-token",
                "Bearer " + new HmacTokenSigner("another-secret-another-secret-another-0", "natter-dev", "natter",
                        Clock.systemUTC()).sign("mallory", Duration.ofMinutes(5))}) {
            HttpRequest.Builder upgrade = HttpRequest.newBuilder(uri("/ws"))
                    .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("Sec-WebSocket-Version", "13");
            if (authorization != null) {
                upgrade.header("Authorization", authorization);
            }
            HttpResponse<String> response = http.send(upgrade.GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode body = json.readTree(response.body());
            assertThat(fieldNames(body)).containsExactlyInAnyOrder("code", "message");
            assertThat(body.get("code").asText()).isEqualTo("UNAUTHORIZED");
        }
        assertThat(edge.sessionCount()).isZero();
    }

    @Test
    void aMemberAddedThroughRestCanSendRightAfterTheAnswer() throws Exception {
        try (WsTestClient owner = connect("olga"); WsTestClient added = connect("pete")) {
            for (int round = 1; round <= 5; round++) {
                String room = "ryw-" + round + "-" + UUID.randomUUID();
                rest.createRoom("olga", room, "private", List.of());
                HttpResponse<String> response = rest.post("/api/rooms/" + room + "/members", "olga", "{\"userId\":\"pete\"}");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(json.readTree(response.body()))
                        .isEqualTo(json.readTree("{\"roomId\":\"" + room + "\",\"userId\":\"pete\"}"));

                added.send(send(room, "pete hello " + round, "p-" + round));

                Frames atPete = Frames.collect(added, 2);
                assertThat(atPete.errors).as("round %d", round).isEmpty();
                atPete.assertRoom(room, List.of("pete hello " + round));
                atPete.assertAcks(Map.of("p-" + round, "pete hello " + round));
                Frames.collect(owner, 1).assertRoom(room, List.of("pete hello " + round));
            }
            owner.assertNoFrameWithin(QUIET);
            added.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void roomRestCallsMapRejectionsToStatuses() throws Exception {
        String room = "rest-" + UUID.randomUUID();
        HttpResponse<String> created = rest.post("/api/rooms", "quinn",
                "{\"roomId\":\"" + room + "\",\"name\":\"Rest\",\"visibility\":\"private\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json.readTree(created.body())).isEqualTo(json.readTree("{\"roomId\":\"" + room + "\"}"));

        assertRestError(rest.post("/api/rooms", "quinn", "{\"roomId\":\"" + room + "\",\"name\":\"Again\",\"visibility\":\"public\"}"),
                409, "ROOM_EXISTS");
        assertRestError(rest.post("/api/rooms/" + room + "/members", "rita", "{\"userId\":\"rita\"}"), 404, "ROOM_NOT_FOUND");
        rest.post("/api/rooms/" + room + "/members", "quinn", "{\"userId\":\"sam\"}");
        assertRestError(rest.post("/api/rooms/" + room + "/members", "sam", "{\"userId\":\"tom\"}"), 403, "NOT_ROOM_OWNER");
        assertRestError(rest.post("/api/rooms/nowhere-" + UUID.randomUUID() + "/members", "quinn", "{\"userId\":\"tom\"}"),
                404, "ROOM_NOT_FOUND");
        // Adding an existing member is an idempotent success.
        assertThat(rest.post("/api/rooms/" + room + "/members", "quinn", "{\"userId\":\"sam\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> generated = rest.post("/api/rooms", "quinn", "{\"name\":\"No id\",\"visibility\":\"public\"}");
        assertThat(generated.statusCode()).isEqualTo(201);
        assertThat(json.readTree(generated.body()).get("roomId").asText()).isNotBlank();
    }

    @Test
    void joiningAPublicRoomLetsTheUserSendAndLeavingStopsIt() throws Exception {
        String room = "lobby-" + UUID.randomUUID();
        rest.createRoom("uma", room, "public", List.of());
        try (WsTestClient vic = connect("vic")) {
            vic.send("{\"type\":\"JOIN_ROOM\",\"roomId\":\"" + room + "\",\"id\":\"j1\"}");
            assertThat(vic.next(FRAME_WAIT)).isEqualTo(json.readTree("{\"type\":\"JOINED\",\"roomId\":\"" + room + "\"}"));
            // Joining twice is answered as a success (ALREADY_MEMBER is a no-op).
            vic.send("{\"type\":\"JOIN_ROOM\",\"roomId\":\"" + room + "\"}");
            assertThat(vic.next(FRAME_WAIT)).isEqualTo(json.readTree("{\"type\":\"JOINED\",\"roomId\":\"" + room + "\"}"));

            vic.send(send(room, "vic hi lobby", "v-1"));
            Frames atVic = Frames.collect(vic, 2);
            assertThat(atVic.errors).isEmpty();
            atVic.assertRoom(room, List.of("vic hi lobby"));
            atVic.assertAcks(Map.of("v-1", "vic hi lobby"));

            vic.send("{\"type\":\"LEAVE_ROOM\",\"roomId\":\"" + room + "\"}");
            assertThat(vic.next(FRAME_WAIT)).isEqualTo(json.readTree("{\"type\":\"LEFT\",\"roomId\":\"" + room + "\"}"));
            vic.send(send(room, "vic still here?", "v-2"));
            JsonNode refused = vic.next(FRAME_WAIT);
            assertThat(refused.get("type").asText()).isEqualTo("ERROR");
            assertThat(refused.get("code").asText()).isEqualTo("NOT_A_MEMBER");
            assertThat(refused.get("ref").asText()).isEqualTo("v-2");
            vic.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void joiningAPrivateRoomIsRefusedAsNotFound() throws Exception {
        String room = "hideout-" + UUID.randomUUID();
        rest.createRoom("wes", room, "private", List.of());
        try (WsTestClient xena = connect("xena")) {
            xena.send("{\"type\":\"JOIN_ROOM\",\"roomId\":\"" + room + "\",\"id\":\"j2\"}");
            JsonNode refused = xena.next(FRAME_WAIT);
            assertThat(refused.get("type").asText()).isEqualTo("ERROR");
            assertThat(refused.get("code").asText()).isEqualTo("ROOM_NOT_FOUND");
            assertThat(refused.get("ref").asText()).isEqualTo("j2");
            xena.send("{\"type\":\"PING\"}");
            assertThat(xena.next(FRAME_WAIT)).isEqualTo(json.readTree("{\"type\":\"PONG\"}"));
            xena.assertNoFrameWithin(QUIET);
        }
    }

    /** The frames one client received, split by type. */
    private record Frames(List<JsonNode> messages, List<JsonNode> acks, List<JsonNode> errors) {
        static Frames collect(WsTestClient client, int count) {
            Frames frames = new Frames(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < count; i++) {
                JsonNode frame = client.next(FRAME_WAIT);
                switch (frame.get("type").asText()) {
                    case "MESSAGE" -> frames.messages.add(frame);
                    case "ACK" -> frames.acks.add(frame);
                    case "ERROR" -> frames.errors.add(frame);
                    default -> throw new AssertionError(client + " got an unexpected frame " + frame);
                }
            }
            return frames;
        }

        /** The room's messages arrived once each, with seq 1..n in order, each sender's in send order. */
        void assertRoom(String roomId, List<String> expectedContents) {
            List<JsonNode> inRoom = messages.stream().filter(m -> m.get("roomId").asText().equals(roomId)).toList();
            assertThat(inRoom.stream().map(m -> m.get("seq").asLong()).toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, expectedContents.size()).boxed().toList());
            List<String> contents = inRoom.stream().map(m -> m.get("content").asText()).toList();
            assertThat(contents).containsExactlyInAnyOrderElementsOf(expectedContents);
            for (JsonNode message : inRoom) {
                assertThat(fieldNames(message)).containsExactlyInAnyOrder("type", "roomId", "messageId", "senderId",
                        "content", "ts", "seq", "epoch", "attachments");
                assertThat(message.get("content").asText()).startsWith(message.get("senderId").asText());
                assertThat(java.time.Instant.parse(message.get("ts").asText())).isNotNull();
            }
            Map<String, List<String>> bySender = new HashMap<>();
            inRoom.forEach(m -> bySender.computeIfAbsent(m.get("senderId").asText(), s -> new ArrayList<>())
                    .add(m.get("content").asText()));
            bySender.values().forEach(sent -> assertThat(sent).isSorted());
        }

        /** One ACK per clientMsgId, carrying the messageId and seq of the MESSAGE with that content. */
        void assertAcks(Map<String, String> contentByClientMsgId) {
            assertThat(acks.stream().map(a -> a.get("clientMsgId").asText()).toList())
                    .containsExactlyInAnyOrderElementsOf(contentByClientMsgId.keySet());
            for (JsonNode ack : acks) {
                String content = contentByClientMsgId.get(ack.get("clientMsgId").asText());
                JsonNode message = messages.stream().filter(m -> m.get("content").asText().equals(content))
                        .findFirst().orElseThrow(() -> new AssertionError("no MESSAGE for " + ack));
                assertThat(ack.get("messageId").asText()).isEqualTo(message.get("messageId").asText());
                assertThat(ack.get("seq").asLong()).isEqualTo(message.get("seq").asLong());
                assertThat(fieldNames(ack)).containsExactlyInAnyOrder("type", "clientMsgId", "messageId", "seq", "epoch");
            }
        }
    }

    /** Every record of chat.message.sent.v1 about {@code rooms}, as room|seq|sender|content. */
    private List<String> sentRecords(Set<String> rooms) {
        return stack.sentMessages().stream().filter(m -> rooms.contains(m.getRoomId()))
                .map(m -> m.getRoomId() + "|" + m.getSeq() + "|" + m.getSenderId() + "|" + m.getContent()).toList();
    }

    /** The partition of {@code roomId}'s records: Kafka's default partitioner on the key. */
    private static int partitionOf(String roomId) {
        return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private WsTestClient connect(String user) {
        return WsTestClient.connect(http, edge.port(), user, tokens.sign(user, Duration.ofMinutes(10)));
    }

    private String send(String roomId, String content, String clientMsgId) {
        return "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
    }

    private void assertRestError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json.readTree(response.body());
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("code", "message");
        assertThat(body.get("code").asText()).isEqualTo(code);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + edge.port() + path);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
