package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliable delivery through the real WebSocket: idempotent sends, HISTORY, RESUME, edits and deletes, room
 * reads and their membership rules, against a broker, registry, the topologies (history capped at
 * {@value #HISTORY_MAX} messages per room, query API on a free port) and an edge, all in this JVM.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryResumeIT {
    private static final int HISTORY_MAX = 20;
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(500);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "history-it", 3,
                Map.of("NATTER_HISTORY_MAX_MESSAGES", String.valueOf(HISTORY_MAX)));
        edge = stack.startEdge("edge-history-it", Map.of());
        tokens = stack.tokens();
        rest = new EdgeRest(http, edge::port, tokens);
    }

    @AfterAll
    void stopStack() {
        stack.close();
        http.close();
    }

    @Test
    void aRepeatedSendIsAckedWithTheOriginalIdAndSeqAndWritesOneMessage() throws Exception {
        String room = room("dup");
        rest.createRoom("ada", room, "private", List.of("ben"));
        try (WsTestClient ada = connect("ada"); WsTestClient ben = connect("ben")) {
            ada.send(send(room, "ada once", "same-id"));
            List<JsonNode> first = take(ada, 2);
            JsonNode message = only(first, "MESSAGE");
            JsonNode ack = only(first, "ACK");
            assertThat(ack).isEqualTo(json.readTree("{\"type\":\"ACK\",\"clientMsgId\":\"same-id\",\"messageId\":\""
                    + message.get("messageId").asText() + "\",\"seq\":1,\"epoch\":0}"));

            ada.send(send(room, "ada once", "same-id"));
            assertThat(ada.next(FRAME_WAIT)).isEqualTo(ack);
            ada.send(send(room, "ada twice", "other-id"));
            assertThat(seqs(take(ada, 2), "MESSAGE")).containsExactly(2L);

            assertThat(seqs(take(ben, 2), "MESSAGE")).containsExactly(1L, 2L);
            ada.assertNoFrameWithin(QUIET);
            ben.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void historyPagesBackwardsWithBeforeSeqLimitAndHasMore() throws Exception {
        String room = room("pages");
        rest.createRoom("cleo", room, "public", List.of());
        try (WsTestClient cleo = connect("cleo")) {
            sendAndAwaitAcks(cleo, room, "cleo", 1, 12);

            assertHistoryPage(cleo, "{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\",\"limit\":5,\"id\":\"h1\"}",
                    room, 8, 12, true);
            assertHistoryPage(cleo, "{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\",\"beforeSeq\":8,\"limit\":5}",
                    room, 3, 7, true);
            assertHistoryPage(cleo, "{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\",\"beforeSeq\":3,\"limit\":5}",
                    room, 1, 2, false);
            assertHistoryPage(cleo, "{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\"}", room, 1, 12, false);
            cleo.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void resumeAfterDisconnectDeliversExactlyTheMissedMessagesThenLiveOnesWhileAnotherClientKeepsSending() throws Exception {
        String room = room("resume");
        rest.createRoom("dora", room, "private", List.of("eli"));
        long lastSeen;
        try (WsTestClient eli = connect("eli"); WsTestClient dora = connect("dora")) {
            sendAndAwaitAcks(dora, room, "dora", 1, 5);
            assertThat(seqs(take(eli, 5), "MESSAGE")).containsExactly(1L, 2L, 3L, 4L, 5L);
            lastSeen = 5;
        }
        try (WsTestClient dora = connect("dora")) {
            sendAndAwaitAcks(dora, room, "dora", 6, 10);
            try (WsTestClient eli = connect("eli")) {
                eli.send("{\"type\":\"RESUME\",\"rooms\":{\"" + room + "\":" + lastSeen + "}}");
                // Live traffic while the replay runs.
                for (int i = 11; i <= 18; i++) {
                    dora.send(send(room, "dora " + i, "d-" + i));
                }
                List<JsonNode> atEli = take(eli, 13);
                assertThat(seqs(atEli, "MESSAGE")).isEqualTo(LongStream.rangeClosed(6, 18).boxed().toList());
                assertThat(atEli).allSatisfy(m -> assertThat(m.get("content").asText())
                        .isEqualTo("dora " + m.get("seq").asLong()));
                eli.assertNoFrameWithin(QUIET);
            }
            assertThat(seqs(take(dora, 16), "ACK")).hasSize(8);
        }
    }

    @Test
    void resumeAtTheHandshakeReplaysStrictlyBeforeLiveMessagesSentDuringTheConnect() throws Exception {
        String room = room("handshake");
        rest.createRoom("lena", room, "private", List.of("moe"));
        try (WsTestClient lena = connect("lena")) {
            sendAndAwaitAcks(lena, room, "lena", 1, 5);
            // Live sends race the connect: without the handshake RESUME some would overtake the replay.
            // 15 messages in all stay inside the 20-message history window this class runs with.
            CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
                for (int i = 6; i <= 15; i++) {
                    lena.send(send(room, "lena " + i, "l-" + i));
                }
            });
            String resume = URLEncoder.encode("{\"" + room + "\":2}", StandardCharsets.UTF_8);
            try (WsTestClient moe = WsTestClient.connect(http, edge.port(), "moe",
                    tokens.sign("moe", Duration.ofMinutes(10)), "resume=" + resume)) {
                live.join();
                List<JsonNode> atMoe = take(moe, 13);
                assertThat(seqs(atMoe, "MESSAGE")).isEqualTo(LongStream.rangeClosed(3, 15).boxed().toList());
                moe.assertNoFrameWithin(QUIET);
            }
        }
    }

    @Test
    void resumeFromBeforeTheRetainedHistoryIsRefusedWithTheOldestSeq() throws Exception {
        String room = room("trunc");
        rest.createRoom("finn", room, "private", List.of());
        try (WsTestClient finn = connect("finn")) {
            sendAndAwaitAcks(finn, room, "finn", 1, HISTORY_MAX + 5);
        }
        try (WsTestClient finn = connect("finn")) {
            finn.send("{\"type\":\"RESUME\",\"rooms\":{\"" + room + "\":2}}");
            JsonNode error = finn.next(FRAME_WAIT);
            assertThat(fieldNames(error)).containsExactly("type", "code", "message", "ref", "oldestSeq");
            assertThat(error.get("code").asText()).isEqualTo("HISTORY_TRUNCATED");
            assertThat(error.get("ref").asText()).isEqualTo(room);
            assertThat(error.get("oldestSeq").asLong()).isEqualTo(6);
            finn.assertNoFrameWithin(QUIET);

            finn.send("{\"type\":\"RESUME\",\"rooms\":{\"" + room + "\":5}}");
            assertThat(seqs(take(finn, HISTORY_MAX), "MESSAGE")).isEqualTo(LongStream.rangeClosed(6, 25).boxed().toList());
            finn.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void nonMembersGetNoHistoryResumeOrRoomState() throws Exception {
        String hidden = room("hidden");
        String open = room("open");
        String missing = room("missing");
        rest.createRoom("gus", hidden, "private", List.of());
        rest.createRoom("gus", open, "public", List.of());
        try (WsTestClient gus = connect("gus"); WsTestClient mal = connect("mal")) {
            sendAndAwaitAcks(gus, hidden, "gus", 1, 2);
            sendAndAwaitAcks(gus, open, "gus", 1, 2);

            mal.send("{\"type\":\"HISTORY\",\"roomId\":\"" + hidden + "\",\"id\":\"q1\"}");
            assertError(mal.next(FRAME_WAIT), "ROOM_NOT_FOUND", "q1");
            mal.send("{\"type\":\"HISTORY\",\"roomId\":\"" + open + "\",\"id\":\"q2\"}");
            assertError(mal.next(FRAME_WAIT), "NOT_A_MEMBER", "q2");
            mal.send("{\"type\":\"HISTORY\",\"roomId\":\"" + missing + "\",\"id\":\"q3\"}");
            assertError(mal.next(FRAME_WAIT), "ROOM_NOT_FOUND", "q3");

            mal.send("{\"type\":\"RESUME\",\"rooms\":{\"" + hidden + "\":0,\"" + open + "\":0,\"" + missing + "\":0}}");
            List<JsonNode> refusals = List.of(mal.next(FRAME_WAIT), mal.next(FRAME_WAIT), mal.next(FRAME_WAIT));
            assertThat(refusals).allSatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("ERROR"));
            assertThat(refusals.stream().map(e -> e.get("ref").asText() + "=" + e.get("code").asText()).toList())
                    .containsExactlyInAnyOrder(hidden + "=ROOM_NOT_FOUND", open + "=NOT_A_MEMBER", missing + "=ROOM_NOT_FOUND");
            mal.assertNoFrameWithin(QUIET);
        }
        assertRestError(rest.get("/api/rooms/" + hidden, "mal"), 404, "ROOM_NOT_FOUND");
        assertRestError(rest.get("/api/rooms/" + open, "mal"), 403, "NOT_A_MEMBER");
        assertRestError(rest.get("/api/rooms/" + missing, "mal"), 404, "ROOM_NOT_FOUND");
        assertThat(json.readTree(rest.get("/api/rooms", "mal").body())).isEqualTo(json.readTree("[]"));
    }

    @Test
    void authorEditsAndDeletesOwnerDeletesAndOthersAreRefused() throws Exception {
        String room = room("edits");
        rest.createRoom("hana", room, "private", List.of("ivo", "jan"));
        try (WsTestClient hana = connect("hana"); WsTestClient ivo = connect("ivo"); WsTestClient jan = connect("jan")) {
            sendAndAwaitAcks(ivo, room, "ivo", 1, 3);
            take(hana, 3);
            take(jan, 3);
            List<String> ids = history(ivo, room).stream().map(m -> m.get("messageId").asText()).toList();

            ivo.send("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"" + room + "\",\"messageId\":\"" + ids.get(0)
                    + "\",\"content\":\"ivo 1 (fixed)\",\"id\":\"e1\"}");
            for (WsTestClient member : List.of(hana, ivo, jan)) {
                JsonNode edited = member.next(FRAME_WAIT);
                assertThat(fieldNames(edited)).containsExactly("type", "roomId", "messageId", "seq", "content",
                        "editorId", "editedAt");
                assertThat(edited.get("type").asText()).isEqualTo("MESSAGE_EDITED");
                assertThat(edited.get("messageId").asText()).isEqualTo(ids.get(0));
                assertThat(edited.get("seq").asLong()).isEqualTo(1);
                assertThat(edited.get("content").asText()).isEqualTo("ivo 1 (fixed)");
                assertThat(edited.get("editorId").asText()).isEqualTo("ivo");
            }
            jan.send("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"" + room + "\",\"messageId\":\"" + ids.get(1)
                    + "\",\"content\":\"not yours\",\"id\":\"e2\"}");
            assertError(jan.next(FRAME_WAIT), "NOT_MESSAGE_AUTHOR", "e2");
            jan.send("{\"type\":\"DELETE_MESSAGE\",\"roomId\":\"" + room + "\",\"messageId\":\"" + ids.get(1) + "\",\"id\":\"d0\"}");
            assertError(jan.next(FRAME_WAIT), "NOT_MESSAGE_AUTHOR", "d0");

            // The owner deletes another's message, then the author deletes their own.
            hana.send("{\"type\":\"DELETE_MESSAGE\",\"roomId\":\"" + room + "\",\"messageId\":\"" + ids.get(1) + "\"}");
            assertDeletedAtEveryMember(List.of(hana, ivo, jan), ids.get(1), 2, "hana");
            ivo.send("{\"type\":\"DELETE_MESSAGE\",\"roomId\":\"" + room + "\",\"messageId\":\"" + ids.get(2) + "\"}");
            assertDeletedAtEveryMember(List.of(hana, ivo, jan), ids.get(2), 3, "ivo");

            List<JsonNode> history = history(jan, room);
            assertThat(history.stream().map(m -> m.get("content").asText()).toList()).containsExactly("ivo 1 (fixed)", "", "");
            assertThat(history.stream().map(m -> m.get("deleted").asBoolean()).toList()).containsExactly(false, true, true);
            assertThat(Instant.parse(history.getFirst().get("editedAt").asText())).isNotNull();
            for (WsTestClient member : List.of(hana, ivo, jan)) {
                member.assertNoFrameWithin(QUIET);
            }
        }
        try (WsTestClient jan = connect("jan")) {
            jan.send("{\"type\":\"RESUME\",\"rooms\":{\"" + room + "\":0}}");
            List<JsonNode> replay = take(jan, 3);
            assertThat(replay.stream().map(f -> f.get("type").asText() + ":" + f.get("seq").asLong()).toList())
                    .containsExactly("MESSAGE:1", "MESSAGE_DELETED:2", "MESSAGE_DELETED:3");
            assertThat(replay.getFirst().get("content").asText()).isEqualTo("ivo 1 (fixed)");
            jan.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void restListsTheCallersRoomsAndShowsRoomStateToMembers() throws Exception {
        String first = "kai-a-" + UUID.randomUUID();
        String second = "kai-b-" + UUID.randomUUID();
        rest.createRoom("kai", first, "private", List.of("lea"));
        rest.createRoom("lea", second, "public", List.of("kai"));
        try (WsTestClient kai = connect("kai")) {
            sendAndAwaitAcks(kai, first, "kai", 1, 2);
        }

        HttpResponse<String> state = rest.get("/api/rooms/" + first, "lea");
        assertThat(state.statusCode()).as(state.body()).isEqualTo(200);
        JsonNode room = json.readTree(state.body());
        assertThat(fieldNames(room)).containsExactlyInAnyOrder("roomId", "name", "visibility", "ownerId", "members",
                "homeRegion", "createdAt", "lastSeq", "lastActivityAt", "messageCount", "oldestSeq", "epoch", "epochFromSeq");
        assertThat(room.get("roomId").asText()).isEqualTo(first);
        assertThat(room.get("visibility").asText()).isEqualTo("private");
        assertThat(room.get("ownerId").asText()).isEqualTo("kai");
        assertThat(json.convertValue(room.get("members"), List.class)).containsExactlyInAnyOrder("kai", "lea");
        assertThat(room.get("lastSeq").asLong()).isEqualTo(2);
        assertThat(room.get("messageCount").asLong()).isEqualTo(2);
        assertThat(room.get("oldestSeq").asLong()).isEqualTo(1);

        HttpResponse<String> listed = rest.get("/api/rooms", "kai");
        assertThat(listed.statusCode()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json.readTree(listed.body()).forEach(r -> ids.add(r.get("roomId").asText()));
        assertThat(ids).isEqualTo(List.of(first, second).stream().sorted().toList());
        assertThat(rest.get("/api/rooms", null).statusCode()).isEqualTo(401);
    }

    private static void assertDeletedAtEveryMember(List<WsTestClient> members, String messageId, long seq, String by) {
        for (WsTestClient member : members) {
            JsonNode deleted = member.next(FRAME_WAIT);
            assertThat(fieldNames(deleted)).containsExactly("type", "roomId", "messageId", "seq", "deletedBy", "deletedAt");
            assertThat(deleted.get("type").asText()).isEqualTo("MESSAGE_DELETED");
            assertThat(deleted.get("messageId").asText()).isEqualTo(messageId);
            assertThat(deleted.get("seq").asLong()).isEqualTo(seq);
            assertThat(deleted.get("deletedBy").asText()).isEqualTo(by);
        }
    }

    private void assertHistoryPage(WsTestClient client, String request, String room, long from, long to, boolean hasMore)
            throws Exception {
        client.send(request);
        JsonNode page = client.next(FRAME_WAIT);
        assertThat(fieldNames(page)).containsExactly("type", "roomId", "messages", "hasMore");
        assertThat(page.get("type").asText()).isEqualTo("HISTORY");
        assertThat(page.get("roomId").asText()).isEqualTo(room);
        assertThat(page.get("hasMore").asBoolean()).isEqualTo(hasMore);
        List<Long> seqs = new ArrayList<>();
        for (JsonNode message : page.get("messages")) {
            seqs.add(message.get("seq").asLong());
            assertThat(fieldNames(message)).containsExactly("roomId", "messageId", "senderId", "content", "ts", "seq",
                    "attachments", "deleted");
            assertThat(message.get("content").asText()).isEqualTo("cleo " + message.get("seq").asLong());
        }
        assertThat(seqs).isEqualTo(LongStream.rangeClosed(from, to).boxed().toList());
    }

    private List<JsonNode> history(WsTestClient client, String room) {
        client.send("{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\"}");
        JsonNode page = client.next(FRAME_WAIT);
        assertThat(page.get("type").asText()).as(page.toString()).isEqualTo("HISTORY");
        List<JsonNode> messages = new ArrayList<>();
        page.get("messages").forEach(messages::add);
        return messages;
    }

    /** Sends {@code sender from}..{@code to} and waits for every ACK (and the sender's own MESSAGE frames). */
    private void sendAndAwaitAcks(WsTestClient client, String room, String sender, int from, int to) {
        for (int i = from; i <= to; i++) {
            client.send(send(room, sender + " " + i, sender + "-" + room + "-" + i));
        }
        List<JsonNode> frames = take(client, 2 * (to - from + 1));
        assertThat(seqs(frames, "ACK")).hasSize(to - from + 1);
        assertThat(seqs(frames, "MESSAGE")).isEqualTo(LongStream.rangeClosed(from, to).boxed().toList());
    }

    private List<JsonNode> take(WsTestClient client, int count) {
        List<JsonNode> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode frame = client.next(FRAME_WAIT);
            assertThat(frame.get("type").asText()).as("%s got %s", client, frame).isNotEqualTo("ERROR");
            frames.add(frame);
        }
        return frames;
    }

    private static List<Long> seqs(List<JsonNode> frames, String type) {
        return frames.stream().filter(f -> f.get("type").asText().equals(type)).map(f -> f.get("seq").asLong()).toList();
    }

    private static JsonNode only(List<JsonNode> frames, String type) {
        List<JsonNode> matching = frames.stream().filter(f -> f.get("type").asText().equals(type)).toList();
        assertThat(matching).as("%s frames in %s", type, frames).hasSize(1);
        return matching.getFirst();
    }

    private static void assertError(JsonNode frame, String code, String ref) {
        assertThat(fieldNames(frame)).containsExactly("type", "code", "message", "ref");
        assertThat(frame.get("type").asText()).isEqualTo("ERROR");
        assertThat(frame.get("code").asText()).isEqualTo(code);
        assertThat(frame.get("ref").asText()).isEqualTo(ref);
    }

    private void assertRestError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json.readTree(response.body());
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("code", "message");
        assertThat(body.get("code").asText()).isEqualTo(code);
    }

    private WsTestClient connect(String user) {
        return WsTestClient.connect(http, edge.port(), user, tokens.sign(user, Duration.ofMinutes(10)));
    }

    private static String room(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static String send(String roomId, String content, String clientMsgId) {
        return "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
