package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input through the real WebSocket against the real stack: every invalid frame is answered with its exact
 * ERROR (or the socket closed with its exact code), a following valid send still gets its ACK, and no command of the
 * hostile user other than its valid sends reaches {@code chat.message.requested.v1} or the sent topic.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(200);
    private static final String ROOM = "hostile-room";
    private static final String OWNER = "olive";
    private static final String HOSTILE = "hal";
    private static final int MAX_FRAME_BYTES = 65_536;
    private static final int MAX_CONTENT_BYTES = 4096;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    /** clientMsgId -> content of every valid send the hostile user made: all it may have written to Kafka. */
    private final Map<String, String> validSends = new ConcurrentHashMap<>();
    private final AtomicInteger sendCounter = new AtomicInteger();
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;

    @BeforeAll
    void startStack(@TempDir Path dataDir) throws Exception {
        stack = EdgeItStack.start(dataDir, "hostile-input-it", 3, Map.of());
        // Generous rate limit: this class sends many valid frames quickly and tests nothing about the limit.
        edge = stack.startEdge("edge-hostile", Map.of(
                "NATTER_RATE_LIMIT_PER_SECOND", "10000",
                "NATTER_RATE_LIMIT_BURST", "10000"));
        tokens = stack.tokens();
        rest = new EdgeRest(http, edge::port, tokens);
        rest.createRoom(OWNER, ROOM, "private", List.of(HOSTILE));
    }

    @AfterAll
    void stopStack() {
        stack.close();
        http.close();
    }

    /** Frames that are merely invalid: each gets exactly this ERROR and the socket stays open. */
    Stream<Arguments> invalidFrames() {
        String send = "{'type':'SEND_MESSAGE','roomId':'" + ROOM + "'";
        return Stream.of(
                // Malformed JSON and JSON the parser refuses.
                invalid("not JSON", "not json", "MALFORMED_FRAME", "frame is not valid JSON", null),
                invalid("an unterminated object", "{", "MALFORMED_FRAME", "frame is not valid JSON", null),
                invalid("single quotes", "{'type':'PING'}", "MALFORMED_FRAME", "frame is not valid JSON", null),
                invalid("a trailing comma", q("{'type':'PING',}"), "MALFORMED_FRAME", "frame is not valid JSON", null),
                invalid("an empty frame", "", "MALFORMED_FRAME", "frame is empty", null),
                invalid("two objects in one frame", q("{'type':'PING'}{'type':'PING'}"), "MALFORMED_FRAME",
                        "frame must hold exactly one JSON value", null),
                invalid("a duplicate roomId (a send that a last-wins reader would put in the room)",
                        q("{'type':'SEND_MESSAGE','roomId':'elsewhere','roomId':'" + ROOM + "','content':'dup','clientMsgId':'d1'}"),
                        "MALFORMED_FRAME", "frame is not valid JSON: duplicate field 'roomId'", null),
                invalid("a duplicate type", q(send + ",'type':'PING','content':'x','clientMsgId':'d2'}"),
                        "MALFORMED_FRAME", "frame is not valid JSON: duplicate field 'type'", null),
                invalid("a nesting bomb of 30,000 arrays", q("{'type':'PING','x':") + "[".repeat(30_000),
                        "MALFORMED_FRAME", beyondLimits(), null),
                invalid("objects nested 40 deep", q(send + ",'content':") + "{\"a\":".repeat(40) + "1" + "}".repeat(40)
                        + q(",'clientMsgId':'n1'}"), "MALFORMED_FRAME", beyondLimits(), null),
                // Valid JSON that is no frame.
                invalid("an array", "[1,2]", "INVALID_FRAME", "frame must be a JSON object", null),
                invalid("null", "null", "INVALID_FRAME", "frame must be a JSON object", null),
                invalid("a string", q("'SEND_MESSAGE'"), "INVALID_FRAME", "frame must be a JSON object", null),
                invalid("a number", "42", "INVALID_FRAME", "frame must be a JSON object", null),
                invalid("no type", q("{'roomId':'" + ROOM + "','id':'q1'}"), "INVALID_FRAME", "type is required", "q1"),
                invalid("a numeric type", q("{'type':7,'id':'q2'}"), "INVALID_FRAME", "type is required", "q2"),
                invalid("a null type", q("{'type':null,'id':'q3'}"), "INVALID_FRAME", "type is required", "q3"),
                invalid("a type in an array", q("{'type':['SEND_MESSAGE'],'id':'q4'}"), "INVALID_FRAME", "type is required", "q4"),
                invalid("an unknown type", q("{'type':'DANCE','id':'q5'}"), "UNKNOWN_TYPE", "unknown frame type DANCE", "q5"),
                invalid("a lower-case type", q("{'type':'send_message','roomId':'" + ROOM + "','content':'x','id':'q6'}"),
                        "UNKNOWN_TYPE", "unknown frame type send_message", "q6"),
                invalid("a server frame type", q("{'type':'MESSAGE','roomId':'" + ROOM + "','content':'x','id':'q7'}"),
                        "UNKNOWN_TYPE", "unknown frame type MESSAGE", "q7"),
                invalid("a 5,000-character type", q("{'type':'" + "T".repeat(5000) + "','id':'q8'}"), "UNKNOWN_TYPE",
                        "unknown frame type " + "T".repeat(64) + "…", "q8"),
                // Missing or wrongly typed fields: never coerced.
                invalid("no content", q(send + ",'clientMsgId':'f1'}"), "INVALID_FRAME", "content is required", "f1"),
                invalid("a null content", q(send + ",'content':null,'clientMsgId':'f2'}"), "INVALID_FRAME", "content is required", "f2"),
                invalid("a numeric content", q(send + ",'content':5,'clientMsgId':'f3'}"), "INVALID_FRAME",
                        "invalid SEND_MESSAGE frame: content must be a string", "f3"),
                invalid("a boolean content", q(send + ",'content':true,'clientMsgId':'f4'}"), "INVALID_FRAME",
                        "invalid SEND_MESSAGE frame: content must be a string", "f4"),
                invalid("a nested-object content", q(send + ",'content':{'a':{'b':{}}},'clientMsgId':'f5'}"), "INVALID_FRAME",
                        "invalid SEND_MESSAGE frame: content must be a string", "f5"),
                invalid("an array content", q(send + ",'content':['hi'],'clientMsgId':'f6'}"), "INVALID_FRAME",
                        "invalid SEND_MESSAGE frame: content must be a string", "f6"),
                invalid("an array roomId", q("{'type':'SEND_MESSAGE','roomId':['" + ROOM + "'],'content':'x','clientMsgId':'f7'}"),
                        "INVALID_FRAME", "invalid SEND_MESSAGE frame: roomId must be a string", "f7"),
                invalid("a numeric roomId", q("{'type':'SEND_MESSAGE','roomId':7,'content':'x','clientMsgId':'f8'}"),
                        "INVALID_FRAME", "invalid SEND_MESSAGE frame: roomId must be a string", "f8"),
                invalid("a null roomId", q("{'type':'SEND_MESSAGE','roomId':null,'content':'x','clientMsgId':'f9'}"),
                        "INVALID_FRAME", "roomId is required", "f9"),
                invalid("a numeric clientMsgId (ref falls back to id)", q(send + ",'content':'x','clientMsgId':5,'id':'q9'}"),
                        "INVALID_FRAME", "invalid SEND_MESSAGE frame: clientMsgId must be a string", "q9"),
                invalid("a numeric id", q("{'type':'PING','id':5}"), "INVALID_FRAME", "id must be a string", null),
                invalid("a string beforeSeq", q("{'type':'HISTORY','roomId':'" + ROOM + "','beforeSeq':'5','id':'h1'}"),
                        "INVALID_FRAME", "invalid HISTORY frame: beforeSeq must be an integer", "h1"),
                invalid("a fractional beforeSeq", q("{'type':'HISTORY','roomId':'" + ROOM + "','beforeSeq':1.5,'id':'h2'}"),
                        "INVALID_FRAME", "invalid HISTORY frame: beforeSeq must be an integer", "h2"),
                invalid("a huge beforeSeq", q("{'type':'HISTORY','roomId':'" + ROOM + "','beforeSeq':99999999999999999999999,'id':'h3'}"),
                        "INVALID_FRAME", "invalid HISTORY frame: beforeSeq is out of range", "h3"),
                invalid("a limit over 2^31", q("{'type':'HISTORY','roomId':'" + ROOM + "','limit':3000000000,'id':'h4'}"),
                        "INVALID_FRAME", "invalid HISTORY frame: limit is out of range", "h4"),
                invalid("a negative beforeSeq", q("{'type':'HISTORY','roomId':'" + ROOM + "','beforeSeq':-1,'id':'h5'}"),
                        "INVALID_FRAME", "beforeSeq must be at least 1", "h5"),
                invalid("a string seq in RESUME", q("{'type':'RESUME','rooms':{'" + ROOM + "':'1'},'id':'r1'}"),
                        "INVALID_FRAME", "invalid RESUME frame: rooms." + ROOM + " must be an integer", "r1"),
                invalid("a huge seq in RESUME", q("{'type':'RESUME','rooms':{'" + ROOM + "':99999999999999999999},'id':'r2'}"),
                        "INVALID_FRAME", "invalid RESUME frame: rooms is out of range", "r2"),
                invalid("RESUME rooms as an array", q("{'type':'RESUME','rooms':['" + ROOM + "'],'id':'r3'}"),
                        "INVALID_FRAME", "invalid RESUME frame: rooms must be an object", "r3"),
                // Very long ids and ids with control characters.
                invalid("a 129-character roomId", q("{'type':'SEND_MESSAGE','roomId':'" + "r".repeat(129) + "','content':'x','clientMsgId':'l1'}"),
                        "INVALID_FRAME", "roomId is longer than 128 characters", "l1"),
                invalid("a 20,000-character roomId", q("{'type':'HISTORY','roomId':'" + "r".repeat(20_000) + "','id':'l2'}"),
                        "INVALID_FRAME", "roomId is longer than 128 characters", "l2"),
                invalid("a 129-character clientMsgId (not echoed)", q(send + ",'content':'x','clientMsgId':'" + "c".repeat(129) + "','id':'l3'}"),
                        "INVALID_FRAME", "clientMsgId is longer than 128 characters", "l3"),
                invalid("a 129-character id (not echoed)", q("{'type':'PING','id':'" + "q".repeat(129) + "'}"),
                        "INVALID_FRAME", "id is longer than 128 characters", null),
                invalid("a NUL in the roomId", q("{'type':'SEND_MESSAGE','roomId':'" + ROOM + "\\u0000','content':'x','clientMsgId':'l4'}"),
                        "INVALID_FRAME", "roomId has the control character U+0000 at index " + ROOM.length(), "l4"),
                invalid("a line feed in the clientMsgId", q(send + ",'content':'x','clientMsgId':'l5\\n','id':'l6'}"),
                        "INVALID_FRAME", "clientMsgId has the control character U+000A at index 2", "l6"),
                // Content: size in UTF-8 bytes, control characters, unpaired surrogates.
                invalid("4,097 ASCII bytes of content", q(send + ",'content':'" + "x".repeat(4097) + "','clientMsgId':'s1'}"),
                        "CONTENT_TOO_LARGE", "content is 4097 bytes, the limit is 4096", "s1"),
                invalid("1,366 euro signs (4,098 bytes)", q(send + ",'content':'" + "€".repeat(1366) + "','clientMsgId':'s2'}"),
                        "CONTENT_TOO_LARGE", "content is 4098 bytes, the limit is 4096", "s2"),
                invalid("1,025 emoji (4,100 bytes)", q(send + ",'content':'" + "😀".repeat(1025) + "','clientMsgId':'s3'}"),
                        "CONTENT_TOO_LARGE", "content is 4100 bytes, the limit is 4096", "s3"),
                invalid("a NUL in content", q(send + ",'content':'a\\u0000b','clientMsgId':'k1'}"),
                        "INVALID_CONTENT", "content has the control character U+0000 at index 1", "k1"),
                invalid("an ANSI escape in content", q(send + ",'content':'\\u001b[2J\\u001b[31mred','clientMsgId':'k2'}"),
                        "INVALID_CONTENT", "content has the control character U+001B at index 0", "k2"),
                invalid("a DEL in content", q(send + ",'content':'x\\u007f','clientMsgId':'k3'}"),
                        "INVALID_CONTENT", "content has the control character U+007F at index 1", "k3"),
                invalid("a C1 CSI in content", q(send + ",'content':'\\u009b2J','clientMsgId':'k4'}"),
                        "INVALID_CONTENT", "content has the control character U+009B at index 0", "k4"),
                invalid("a lone high surrogate in content", q(send + ",'content':'x\\ud83d','clientMsgId':'k5'}"),
                        "INVALID_CONTENT", "content has an unpaired surrogate U+D83D at index 1", "k5"),
                invalid("a lone low surrogate in content", q(send + ",'content':'\\ude00x','clientMsgId':'k6'}"),
                        "INVALID_CONTENT", "content has an unpaired surrogate U+DE00 at index 0", "k6"),
                invalid("a control character in an edit", q("{'type':'EDIT_MESSAGE','roomId':'" + ROOM
                        + "','messageId':'m','content':'\\u0007','id':'k7'}"),
                        "INVALID_CONTENT", "content has the control character U+0007 at index 0", "k7"),
                invalid("blank content", q(send + ",'content':' \\t\\n ','clientMsgId':'k8'}"), "INVALID_FRAME", "content is required", "k8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFrames")
    void anInvalidFrameGetsItsExactErrorAndTheSocketStaysUsable(String name, String frame, JsonNode expectedError)
            throws Exception {
        try (WsTestClient hal = connect(HOSTILE)) {
            hal.send(frame);
            assertThat(hal.next(FRAME_WAIT)).as(name).isEqualTo(expectedError);
            sendValidAndExpectAck(hal);
            assertOnlyValidSendsReachedKafka();
        }
    }

    @Test
    void aBinaryFrameIsAnsweredBinaryNotSupportedAndTheSocketStaysUsable() throws Exception {
        ObjectNode refusal = error("BINARY_NOT_SUPPORTED", "frames are JSON text; binary frames are not supported", null);
        try (WsTestClient hal = connect(HOSTILE)) {
            // Even a binary frame holding a valid send is refused: the protocol is text.
            hal.sendBinary(q(send("bin-1", "sent as binary")).getBytes(StandardCharsets.UTF_8));
            assertThat(hal.next(FRAME_WAIT)).isEqualTo(refusal);
            hal.sendBinary(new byte[] {0, (byte) 0xFF, 0x7F});
            assertThat(hal.next(FRAME_WAIT)).isEqualTo(refusal);
            hal.sendBinary(new byte[0]);
            assertThat(hal.next(FRAME_WAIT)).isEqualTo(refusal);
            sendValidAndExpectAck(hal);
        }
        // A fragmented binary message is one message: one answer.
        try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
            raw.sendFrame(false, RawWsClient.BINARY, new byte[] {1, 2});
            raw.sendFrame(true, RawWsClient.CONTINUATION, new byte[] {3});
            assertThat(json.readTree(raw.nextText(FRAME_WAIT))).isEqualTo(refusal);
            raw.sendText(q("{'type':'PING','id':'after-binary'}"));
            assertThat(json.readTree(raw.nextText(FRAME_WAIT))).isEqualTo(json.readTree("{\"type\":\"PONG\"}"));
            assertThat(raw.pollText(QUIET)).isNull();
        }
        assertOnlyValidSendsReachedKafka();
    }

    @Test
    void theContentLimitCountsUtf8BytesNotCharacters() throws Exception {
        List<String> atTheLimit = List.of("x".repeat(MAX_CONTENT_BYTES), "€".repeat(1365), "😀".repeat(1024));
        assertThat(atTheLimit).extracting(c -> c.getBytes(StandardCharsets.UTF_8).length).containsExactly(4096, 4095, 4096);
        try (WsTestClient hal = connect(HOSTILE)) {
            for (String content : atTheLimit) {
                sendValidAndExpectAck(hal, content);
            }
        }
        assertOnlyValidSendsReachedKafka();
    }

    @Test
    void markupScriptsAndInjectionStringsAreStoredAndDeliveredByteForByteAsData() throws Exception {
        List<String> contents = List.of(
                "<script>alert('x')</script>",
                "<img src=x onerror=\"alert(document.cookie)\">",
                "</script><!-- \"quoted\" & 'apostrophe' -->",
                "{{constructor.constructor('alert(1)')()}}",
                "${jndi:ldap://evil.example/x}",
                "'; DROP TABLE messages; --",
                "{\"type\":\"ACK\",\"clientMsgId\":\"forged\"}",
                "&lt;already escaped&gt; &amp; %3Cscript%3E %00 \\u0000 \\n",
                "tab\tline\nreturn\r\nend",
                "😀 \u202Eevil\u202C \u200B\uFEFF \u2028\u2029 e\u0301");
        Set<String> sent = new java.util.LinkedHashSet<>();
        try (WsTestClient hal = connect(HOSTILE); WsTestClient olive = connect(OWNER)) {
            for (String content : contents) {
                JsonNode message = sendValidAndExpectAck(hal, content);
                sent.add(message.get("messageId").asText());
                JsonNode atOlive = olive.next(FRAME_WAIT);
                assertThat(atOlive).isEqualTo(message);
                assertThat(atOlive.get("content").asText()).isEqualTo(content);
            }
            olive.send(q("{'type':'HISTORY','roomId':'" + ROOM + "','limit':200,'id':'hist'}"));
            JsonNode history = olive.next(FRAME_WAIT);
            assertThat(history.get("type").asText()).isEqualTo("HISTORY");
            Map<String, String> historyContent = new HashMap<>();
            history.get("messages").forEach(m -> historyContent.put(m.get("messageId").asText(), m.get("content").asText()));
            assertThat(sent).allSatisfy(id -> assertThat(historyContent).containsKey(id));
            assertThat(sent.stream().map(historyContent::get).toList()).containsExactlyElementsOf(contents);
            olive.assertNoFrameWithin(QUIET);
        }
        Map<String, String> stored = new HashMap<>();
        stack.sentMessages().forEach(m -> stored.put(m.getMessageId(), m.getContent()));
        assertThat(sent.stream().map(stored::get).toList()).containsExactlyElementsOf(contents);

        // REST serves user text as JSON only, never as a page a browser would render.
        String htmlRoom = "html-room";
        HttpResponse<String> created = rest.post("/api/rooms", OWNER, json.writeValueAsString(Map.of(
                "roomId", htmlRoom, "name", "<script>alert(1)</script>", "visibility", "private")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> room = rest.get("/api/rooms/" + htmlRoom, OWNER);
        assertThat(room.statusCode()).isEqualTo(200);
        assertThat(room.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(json.readTree(room.body()).get("name").asText()).isEqualTo("<script>alert(1)</script>");
    }

    @Test
    void restRefusesControlCharactersInRoomNamesAndIds() throws Exception {
        assertRestError(rest.post("/api/rooms", OWNER, "{\"name\":\"bell\\u0007\",\"visibility\":\"public\"}"),
                "name has the control character U+0007 at index 4");
        assertRestError(rest.post("/api/rooms", OWNER, "{\"roomId\":\"a\\nb\",\"name\":\"n\",\"visibility\":\"public\"}"),
                "roomId has the control character U+000A at index 1");
        assertRestError(rest.post("/api/rooms/" + ROOM + "/members", OWNER, "{\"userId\":\"\\ud800\"}"),
                "userId has an unpaired surrogate U+D800 at index 0");
    }

    @Test
    void roomIdsShapedLikePathsFindNoRoom() throws Exception {
        try (WsTestClient hal = connect(HOSTILE)) {
            int n = 0;
            for (String roomId : List.of("..", ".", "../" + ROOM, ROOM + "/..", "%2e%2e", "?x=1", "#", ROOM + "/messages",
                    " " + ROOM)) {
                String id = "p" + n++;
                ObjectNode history = json.createObjectNode().put("type", "HISTORY").put("roomId", roomId).put("id", id);
                hal.send(history.toString());
                JsonNode answer = hal.next(FRAME_WAIT);
                assertThat(answer.get("code").asText()).as("HISTORY of %s: %s", roomId, answer).isEqualTo("ROOM_NOT_FOUND");
                assertThat(answer.get("ref").asText()).isEqualTo(id);
            }
            hal.assertNoFrameWithin(QUIET);
        }
    }

    @Test
    void anOversizeFrameClosesTheSocketWith1009AndTheLimitCountsBytes() throws Exception {
        int sessionsBefore = edge.sessionCount();
        // Exactly at the limit: served.
        try (WsTestClient hal = connect(HOSTILE)) {
            String frame = padded(send("size-ok", "at the limit"), MAX_FRAME_BYTES, "x");
            assertThat(frame.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_FRAME_BYTES);
            hal.send(frame);
            validSends.put("size-ok", "at the limit");
            expectAckAndMessage(hal, "size-ok", "at the limit");
        }
        // One byte over, as ASCII; and fewer characters than the limit but more bytes.
        String oneOver = padded(send("size-over", "one byte over"), MAX_FRAME_BYTES + 1, "x");
        String wideChars = padded(send("size-wide", "wide"), MAX_FRAME_BYTES + 2, "é");
        assertThat(wideChars.length()).isLessThan(MAX_FRAME_BYTES);
        for (String frame : List.of(oneOver, wideChars)) {
            try (WsTestClient hal = connect(HOSTILE)) {
                hal.send(frame);
                assertThat(hal.closeStatus()).succeedsWithin(FRAME_WAIT).isEqualTo(1009);
            }
        }
        try (WsTestClient hal = connect(HOSTILE)) {
            hal.sendBinary(new byte[MAX_FRAME_BYTES + 1]);
            assertThat(hal.closeStatus()).succeedsWithin(FRAME_WAIT).isEqualTo(1009);
        }
        // Fragments count together.
        try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
            byte[] half = new byte[MAX_FRAME_BYTES / 2 + 1];
            Arrays.fill(half, (byte) ' ');
            raw.sendFrame(false, RawWsClient.TEXT, half);
            raw.sendFrame(true, RawWsClient.CONTINUATION, half);
            assertThat(raw.closed()).succeedsWithin(FRAME_WAIT).extracting(RawWsClient.Close::code).isEqualTo(1009);
        }
        await().atMost(FRAME_WAIT).until(() -> edge.sessionCount() == sessionsBefore);
        assertHealthy();
        try (WsTestClient hal = connect(HOSTILE)) {
            sendValidAndExpectAck(hal);
        }
        assertOnlyValidSendsReachedKafka();
    }

    @Test
    void invalidUtf8InATextFrameClosesTheSocketWith1007() throws Exception {
        int sessionsBefore = edge.sessionCount();
        Map<String, byte[]> badSequences = Map.of(
                "a 0xFF byte", new byte[] {(byte) 0xFF},
                "an overlong '/'", new byte[] {(byte) 0xC0, (byte) 0xAF},
                "a UTF-8-encoded surrogate (CESU-8)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "a lone continuation byte", new byte[] {(byte) 0x80},
                "a code point above U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        int n = 0;
        for (Map.Entry<String, byte[]> bad : badSequences.entrySet()) {
            String clientMsgId = "utf-" + n++;
            try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
                raw.sendTextBytes(concat(q("{'type':'SEND_MESSAGE','roomId':'" + ROOM + "','clientMsgId':'" + clientMsgId
                        + "','content':'bad ").getBytes(StandardCharsets.UTF_8), bad.getValue(), q(" bytes'}").getBytes(StandardCharsets.UTF_8)));
                assertThat(raw.closed()).as(bad.getKey()).succeedsWithin(FRAME_WAIT)
                        .extracting(RawWsClient.Close::code).isEqualTo(1007);
            }
        }
        // A message cut off inside a character, and a character split across fragments and then broken.
        try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
            raw.sendTextBytes(concat(q(send("utf-cut", "cut ")).substring(0, 60).getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xE2, (byte) 0x82}));
            assertThat(raw.closed()).succeedsWithin(FRAME_WAIT).extracting(RawWsClient.Close::code).isEqualTo(1007);
        }
        try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
            raw.sendFrame(false, RawWsClient.TEXT, concat(q("{'type':'SEND_MESSAGE','roomId':'" + ROOM
                    + "','clientMsgId':'utf-split','content':'").getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xE2}));
            raw.sendFrame(true, RawWsClient.CONTINUATION, concat(new byte[] {(byte) 0x28, (byte) 0xA1},
                    q("'}").getBytes(StandardCharsets.UTF_8)));
            assertThat(raw.closed()).succeedsWithin(FRAME_WAIT).extracting(RawWsClient.Close::code).isEqualTo(1007);
        }
        // A valid character split across fragments is fine.
        try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
            byte[] frame = q(send("utf-ok", "price: €5")).getBytes(StandardCharsets.UTF_8);
            int euro = indexOf(frame, "€".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(false, RawWsClient.TEXT, Arrays.copyOfRange(frame, 0, euro + 1));
            raw.sendFrame(false, RawWsClient.CONTINUATION, Arrays.copyOfRange(frame, euro + 1, euro + 2));
            raw.sendFrame(true, RawWsClient.CONTINUATION, Arrays.copyOfRange(frame, euro + 2, frame.length));
            validSends.put("utf-ok", "price: €5");
            List<JsonNode> answers = List.of(json.readTree(raw.nextText(FRAME_WAIT)), json.readTree(raw.nextText(FRAME_WAIT)));
            assertThat(answers).extracting(a -> a.get("type").asText()).containsExactlyInAnyOrder("ACK", "MESSAGE");
            assertThat(answers).filteredOn(a -> a.get("type").asText().equals("MESSAGE"))
                    .singleElement().satisfies(m -> assertThat(m.get("content").asText()).isEqualTo("price: €5"));
        }
        await().atMost(FRAME_WAIT).until(() -> edge.sessionCount() == sessionsBefore);
        assertHealthy();
        assertOnlyValidSendsReachedKafka();
    }

    @Test
    void webSocketProtocolViolationsCloseTheSocketWith1002() throws Exception {
        int sessionsBefore = edge.sessionCount();
        byte[] ping = q("{'type':'PING'}").getBytes(StandardCharsets.UTF_8);
        record Violation(String name, int firstByte, boolean masked, byte[] payload) {}
        List<Violation> violations = List.of(
                new Violation("a reserved opcode", 0x80 | 0x3, true, ping),
                new Violation("an RSV bit without an extension", 0x80 | 0x40 | RawWsClient.TEXT, true, ping),
                new Violation("a continuation with no message started", 0x80 | RawWsClient.CONTINUATION, true, ping),
                new Violation("an unmasked client frame", 0x80 | RawWsClient.TEXT, false, ping),
                new Violation("a fragmented control frame", RawWsClient.PING, true, new byte[0]),
                new Violation("a control frame over 125 bytes", 0x80 | RawWsClient.PING, true, new byte[126]));
        Map<String, Integer> codes = new java.util.LinkedHashMap<>();
        for (Violation violation : violations) {
            try (RawWsClient raw = RawWsClient.connect(edge.port(), HOSTILE, token(HOSTILE))) {
                raw.sendRaw(violation.firstByte(), violation.masked(), violation.payload());
                codes.put(violation.name(), raw.closed().get(FRAME_WAIT.toSeconds(), TimeUnit.SECONDS).code());
            }
        }
        assertThat(codes).allSatisfy((name, code) -> assertThat(code).as(name).isEqualTo(1002));
        await().atMost(FRAME_WAIT).until(() -> edge.sessionCount() == sessionsBefore);
        assertHealthy();
    }

    /** Sends a fresh valid message and asserts its ACK and MESSAGE (in either order) and nothing else. */
    private JsonNode sendValidAndExpectAck(WsTestClient client) {
        return sendValidAndExpectAck(client, "valid " + sendCounter.incrementAndGet());
    }

    private JsonNode sendValidAndExpectAck(WsTestClient client, String content) {
        String clientMsgId = "ok-" + sendCounter.incrementAndGet();
        validSends.put(clientMsgId, content);
        client.send(json.createObjectNode().put("type", "SEND_MESSAGE").put("roomId", ROOM).put("content", content)
                .put("clientMsgId", clientMsgId).toString());
        return expectAckAndMessage(client, clientMsgId, content);
    }

    private JsonNode expectAckAndMessage(WsTestClient client, String clientMsgId, String content) {
        Map<String, JsonNode> byType = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonNode frame = client.next(FRAME_WAIT);
            assertThat(byType.put(frame.get("type").asText(), frame)).as("second %s", frame).isNull();
        }
        assertThat(byType).containsOnlyKeys("ACK", "MESSAGE");
        JsonNode ack = byType.get("ACK");
        JsonNode message = byType.get("MESSAGE");
        assertThat(ack.get("clientMsgId").asText()).isEqualTo(clientMsgId);
        assertThat(message.get("content").asText()).isEqualTo(content);
        assertThat(message.get("senderId").asText()).isEqualTo(HOSTILE);
        assertThat(ack.get("messageId")).isEqualTo(message.get("messageId"));
        client.assertNoFrameWithin(QUIET);
        return message;
    }

    /** The hostile user's commands in Kafka are exactly its valid sends, and so are its messages in the sent topic. */
    private void assertOnlyValidSendsReachedKafka() {
        List<String> commands = new ArrayList<>();
        for (RoomCommand command : stack.roomCommands()) {
            if (command.getActorId().equals(HOSTILE)) {
                assertThat(command.getPayload()).isInstanceOf(SendMessageRequested.class);
                SendMessageRequested send = (SendMessageRequested) command.getPayload();
                assertThat(send.getRoomId()).isEqualTo(ROOM);
                commands.add(send.getClientMsgId() + "|" + send.getContent());
            }
        }
        List<String> expected = validSends.entrySet().stream().map(e -> e.getKey() + "|" + e.getValue()).toList();
        assertThat(commands).containsExactlyInAnyOrderElementsOf(expected);
        List<String> sent = new ArrayList<>();
        for (ChatMessage message : stack.sentMessages()) {
            if (message.getSenderId().equals(HOSTILE)) {
                sent.add(message.getClientMsgId() + "|" + message.getContent());
            }
        }
        assertThat(sent).containsExactlyInAnyOrderElementsOf(expected);
    }

    private void assertHealthy() throws Exception {
        for (String path : List.of("/health/live", "/health/ready")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + edge.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
    }

    private void assertRestError(HttpResponse<String> response, String message) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json.readTree(response.body())).isEqualTo(json.createObjectNode()
                .put("code", "INVALID_REQUEST").put("message", message));
    }

    private Arguments invalid(String name, String frame, String code, String message, String ref) {
        return Arguments.of(name, frame, error(code, message, ref));
    }

    private ObjectNode error(String code, String message, String ref) {
        ObjectNode error = json.createObjectNode().put("type", "ERROR").put("code", code).put("message", message);
        return ref == null ? error : error.put("ref", ref);
    }

    private static String beyondLimits() {
        return "frame is beyond the parser's limits (nesting deeper than 32, or a number or name too long)";
    }

    /** A SEND_MESSAGE frame to the room, in the single-quoted shorthand {@link #q} turns into JSON. */
    private static String send(String clientMsgId, String content) {
        return "{'type':'SEND_MESSAGE','roomId':'" + ROOM + "','content':'" + content + "','clientMsgId':'" + clientMsgId + "'}";
    }

    /** {@code frame} (shorthand) with a {@code pad} field of {@code unit} repeated so the JSON is exactly {@code bytes} long. */
    private static String padded(String frame, int bytes, String unit) {
        String start = q(frame.substring(0, frame.length() - 1)) + ",\"pad\":\"";
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        int room = bytes - start.getBytes(StandardCharsets.UTF_8).length - 2;
        String result = start + unit.repeat(room / unitBytes) + " ".repeat(room % unitBytes) + "\"}";
        assertThat(result.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return result;
    }

    /** Single quotes to double quotes: the test's shorthand for JSON without escaping. */
    private static String q(String shorthand) {
        return shorthand.replace('\'', '"');
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private WsTestClient connect(String user) {
        return WsTestClient.connect(http, edge.port(), user, token(user));
    }

    private String token(String user) {
        return tokens.sign(user, Duration.ofMinutes(10));
    }
}
