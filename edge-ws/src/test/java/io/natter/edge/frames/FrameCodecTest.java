package io.natter.edge.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.natter.edge.EdgeJson;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec(EdgeJson.newMapper(), 10);

    @Test
    void decodesSendMessageWithClientMsgId() throws FrameException {
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"hi\",\"clientMsgId\":\"c1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.SendMessage("r1", "hi", "c1"), null));
    }

    @Test
    void decodesSendMessageWithoutClientMsgIdAndIgnoresUnknownFields() throws FrameException {
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"hi\",\"extra\":[1]}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.SendMessage("r1", "hi", null), null));
    }

    @Test
    void decodesJoinLeaveAndPingWithTheirRequestIds() throws FrameException {
        assertThat(codec.decode("{\"type\":\"JOIN_ROOM\",\"roomId\":\"r1\",\"id\":\"q1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.JoinRoom("r1"), "q1"));
        assertThat(codec.decode("{\"type\":\"LEAVE_ROOM\",\"roomId\":\"r1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.LeaveRoom("r1"), null));
        assertThat(codec.decode("{\"type\":\"PING\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.Ping(), null));
    }

    @Test
    void decodesPresenceSubscriptionsAndRefusesAMissingRoomId() throws FrameException {
        assertThat(codec.decode("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"r1\",\"id\":\"q2\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.SubscribePresence("r1"), "q2"));
        assertThat(codec.decode("{\"type\":\"UNSUBSCRIBE_PRESENCE\",\"roomId\":\"r1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.UnsubscribePresence("r1"), null));
        assertThat(refusal("{\"type\":\"SUBSCRIBE_PRESENCE\",\"id\":\"q3\"}").code()).isEqualTo("INVALID_FRAME");
        assertThat(refusal("{\"type\":\"SUBSCRIBE_PRESENCE\",\"id\":\"q3\"}").ref()).isEqualTo("q3");
        assertThat(refusal("{\"type\":\"UNSUBSCRIBE_PRESENCE\",\"roomId\":\" \"}").code()).isEqualTo("INVALID_FRAME");
    }

    @Test
    void decodesSendMessageAttachmentsInTheGivenOrder() throws FrameException {
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"see\",\"attachments\":[\"b\",\"a\"]}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.SendMessage("r1", "see", null, List.of("b", "a")), null));
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"hi\",\"attachments\":null}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r1", "hi", null, List.of()));
    }

    @Test
    void letsContentBeEmptyOrAbsentOnlyWhenTheSendHasAttachments() throws FrameException {
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"attachments\":[\"a\"]}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r1", null, null, List.of("a")));
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"\",\"attachments\":[\"a\"]}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r1", "", null, List.of("a")));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\" \",\"attachments\":[],\"clientMsgId\":\"c1\"}",
                new ServerFrame.Error("INVALID_FRAME", "content is required", "c1"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"éééééé\",\"attachments\":[\"a\"]}",
                new ServerFrame.Error("CONTENT_TOO_LARGE", "content is 12 bytes, the limit is 10", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a\"", "[1]", "[true]", "[null]", "[[\"a\"]]", "[{\"id\":\"a\"}]", "{\"a\":\"b\"}", "7"})
    void refusesAttachmentsThatAreNotAnArrayOfStrings(String attachments) {
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"x\",\"clientMsgId\":\"c1\",\"attachments\":"
                + attachments + "}", new ServerFrame.Error("INVALID_FRAME", "attachments must be an array of strings", "c1"));
    }

    @Test
    void refusesBlankLongRepeatedOrTooManyAttachmentIds() {
        String send = "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r1\",\"content\":\"x\",\"clientMsgId\":\"c1\",\"attachments\":";
        assertError(send + "[\"a\",\" \"]}", new ServerFrame.Error("INVALID_FRAME", "attachments item is required", "c1"));
        assertError(send + "[\"" + "x".repeat(129) + "\"]}",
                new ServerFrame.Error("INVALID_FRAME", "attachments item is longer than 128 characters", "c1"));
        assertError(send + "[\"a\",\"b\",\"a\"]}",
                new ServerFrame.Error("DUPLICATE_ATTACHMENT", "attachment a is named twice", "c1"));
        String eleven = String.join(",", java.util.stream.IntStream.rangeClosed(1, FrameCodec.MAX_ATTACHMENTS + 1)
                .mapToObj(i -> "\"a" + i + "\"").toList());
        assertError(send + "[" + eleven + "]}",
                new ServerFrame.Error("TOO_MANY_ATTACHMENTS", "a message carries at most 10 attachments, not 11", "c1"));
    }

    @Test
    void contentLimitCountsUtf8BytesNotCharacters() throws FrameException {
        // 5 x "é" = 10 bytes: exactly at the limit.
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"ééééé\"}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r", "ééééé", null));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"éééééé\",\"clientMsgId\":\"c9\"}",
                new ServerFrame.Error("CONTENT_TOO_LARGE", "content is 12 bytes, the limit is 10", "c9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "{\"type\":\"PING\",}", "", "{'type':'PING'}", "{\"type\":\"PING\",\"x\":NaN}",
        "{\"type\":\"PING\" /* c */}"})
    void refusesMalformedJson(String text) {
        assertThat(refusal(text).code()).isEqualTo("MALFORMED_FRAME");
        assertThat(refusal(text).ref()).isNull();
    }

    @Test
    void decodesRefreshTokenAndRequiresItsToken() throws FrameException {
        assertThat(codec.decode("{\"type\":\"REFRESH_TOKEN\",\"token\":\"t\",\"id\":\"q7\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.RefreshToken("t"), "q7"));
        assertError("{\"type\":\"REFRESH_TOKEN\",\"token\":\" \",\"id\":\"q8\"}",
                new ServerFrame.Error("INVALID_FRAME", "token is required", "q8"));
    }

    @Test
    void decodesEditAndDeleteMessage() throws FrameException {
        assertThat(codec.decode("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"content\":\"new\",\"id\":\"q\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.EditMessage("r1", "m1", "new"), "q"));
        assertThat(codec.decode("{\"type\":\"DELETE_MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.DeleteMessage("r1", "m1"), null));
    }

    @Test
    void refusesEditsAndDeletesWithoutIdsOrContent() {
        assertError("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"r1\",\"content\":\"x\",\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "messageId is required", "q"));
        assertError("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"content\":\" \"}",
                new ServerFrame.Error("INVALID_FRAME", "content is required", null));
        assertError("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"content\":\"éééééé\"}",
                new ServerFrame.Error("CONTENT_TOO_LARGE", "content is 12 bytes, the limit is 10", null));
        assertError("{\"type\":\"DELETE_MESSAGE\",\"messageId\":\"m1\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", null));
    }

    @Test
    void decodesHistoryWithAndWithoutPaging() throws FrameException {
        assertThat(codec.decode("{\"type\":\"HISTORY\",\"roomId\":\"r1\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.History("r1", null, null), null));
        assertThat(codec.decode("{\"type\":\"HISTORY\",\"roomId\":\"r1\",\"beforeSeq\":40,\"limit\":10,\"id\":\"h\"}"))
                .isEqualTo(new IncomingFrame(new ClientFrame.History("r1", 40L, 10), "h"));
    }

    @Test
    void refusesHistoryWithoutRoomOrWithNonPositivePaging() {
        assertError("{\"type\":\"HISTORY\",\"id\":\"h\"}", new ServerFrame.Error("INVALID_FRAME", "roomId is required", "h"));
        assertError("{\"type\":\"HISTORY\",\"roomId\":\"r\",\"beforeSeq\":0}",
                new ServerFrame.Error("INVALID_FRAME", "beforeSeq must be at least 1", null));
        assertError("{\"type\":\"HISTORY\",\"roomId\":\"r\",\"limit\":0}",
                new ServerFrame.Error("INVALID_FRAME", "limit must be at least 1", null));
    }

    @Test
    void decodesResumeKeepingTheRoomsInOrder() throws FrameException {
        ClientFrame frame = codec.decode("{\"type\":\"RESUME\",\"rooms\":{\"b\":3,\"a\":0},\"id\":\"x\"}").frame();
        assertThat(frame).isEqualTo(new ClientFrame.Resume(java.util.Map.of("a", 0L, "b", 3L)));
        assertThat(((ClientFrame.Resume) frame).rooms().keySet()).containsExactly("b", "a");
    }

    @Test
    void refusesResumeWithoutRoomsOrWithBadSeqs() {
        assertError("{\"type\":\"RESUME\",\"id\":\"x\"}", new ServerFrame.Error("INVALID_FRAME", "rooms is required", "x"));
        assertError("{\"type\":\"RESUME\",\"rooms\":{\"a\":-1}}",
                new ServerFrame.Error("INVALID_FRAME", "rooms.a must be a seq of at least 0", null));
        assertError("{\"type\":\"RESUME\",\"rooms\":{\"a\":null}}",
                new ServerFrame.Error("INVALID_FRAME", "rooms.a must be a seq of at least 0", null));
        assertError("{\"type\":\"RESUME\",\"rooms\":{\"" + "x".repeat(129) + "\":1}}",
                new ServerFrame.Error("INVALID_FRAME", "rooms key is longer than 128 characters", null));
        assertThat(refusal("{\"type\":\"RESUME\",\"rooms\":[1]}").code()).isEqualTo("INVALID_FRAME");
        StringBuilder many = new StringBuilder("{\"type\":\"RESUME\",\"rooms\":{");
        for (int i = 0; i <= FrameCodec.MAX_RESUME_ROOMS; i++) {
            many.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":1");
        }
        assertError(many.append("}}").toString(),
                new ServerFrame.Error("INVALID_FRAME", "rooms names more than 1000 rooms", null));
    }

    @Test
    void refusesUnknownType() {
        assertError("{\"type\":\"DANCE\"}", new ServerFrame.Error("UNKNOWN_TYPE", "unknown frame type DANCE", null));
    }

    @Test
    void refusesFramesThatAreNotObjectsOrHaveNoTextualType() {
        assertError("[1,2]", new ServerFrame.Error("INVALID_FRAME", "frame must be a JSON object", null));
        assertError("\"PING\"", new ServerFrame.Error("INVALID_FRAME", "frame must be a JSON object", null));
        assertError("{\"roomId\":\"r\",\"id\":\"q\"}", new ServerFrame.Error("INVALID_FRAME", "type is required", "q"));
        assertError("{\"type\":7}", new ServerFrame.Error("INVALID_FRAME", "type is required", null));
    }

    @Test
    void refusesMissingOrInvalidFieldsWithTheSendsClientMsgIdAsRef() {
        assertError("{\"type\":\"SEND_MESSAGE\",\"content\":\"hi\",\"clientMsgId\":\"c1\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", "c1"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"clientMsgId\":\"c2\",\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "content is required", "c2"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"  \",\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "content is required", "q"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + "x".repeat(129) + "\",\"content\":\"hi\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is longer than 128 characters", null));
        // An invalid clientMsgId is not echoed: the ref falls back to the frame's id.
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"\",\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "clientMsgId is required", "q"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"" + "c".repeat(129) + "\"}",
                new ServerFrame.Error("INVALID_FRAME", "clientMsgId is longer than 128 characters", null));
        assertError("{\"type\":\"JOIN_ROOM\",\"id\":\"q3\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", "q3"));
        assertError("{\"type\":\"LEAVE_ROOM\",\"roomId\":\" \"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", null));
    }

    @Test
    void refusesFieldsOfTheWrongJsonType() {
        assertError("{\"type\":\"JOIN_ROOM\",\"roomId\":{\"a\":1},\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "invalid JOIN_ROOM frame: roomId must be a string", "q"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'type':'SEND_MESSAGE','roomId':'r','content':5,'clientMsgId':'c'}              | content must be a string",
        "{'type':'SEND_MESSAGE','roomId':'r','content':true,'clientMsgId':'c'}           | content must be a string",
        "{'type':'SEND_MESSAGE','roomId':'r','content':1.5,'clientMsgId':'c'}            | content must be a string",
        "{'type':'SEND_MESSAGE','roomId':'r','content':{'a':{'b':{}}},'clientMsgId':'c'} | content must be a string",
        "{'type':'SEND_MESSAGE','roomId':'r','content':['hi'],'clientMsgId':'c'}         | content must be a string",
        "{'type':'SEND_MESSAGE','roomId':['r'],'content':'hi','clientMsgId':'c'}         | roomId must be a string",
        "{'type':'SEND_MESSAGE','roomId':7,'content':'hi','clientMsgId':'c'}             | roomId must be a string"})
    void refusesASendWhoseFieldsAreNotStringsWithoutCoercingThem(String frame, String problem) {
        assertError(frame.replace('\'', '"'), new ServerFrame.Error("INVALID_FRAME", "invalid SEND_MESSAGE frame: " + problem, "c"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'type':'HISTORY','roomId':'r','beforeSeq':'5','id':'q'}                        | HISTORY frame: beforeSeq must be an integer",
        "{'type':'HISTORY','roomId':'r','beforeSeq':1.5,'id':'q'}                        | HISTORY frame: beforeSeq must be an integer",
        "{'type':'HISTORY','roomId':'r','beforeSeq':1e2,'id':'q'}                        | HISTORY frame: beforeSeq must be an integer",
        "{'type':'HISTORY','roomId':'r','limit':true,'id':'q'}                           | HISTORY frame: limit must be an integer",
        "{'type':'HISTORY','roomId':'r','beforeSeq':99999999999999999999999,'id':'q'}    | HISTORY frame: beforeSeq is out of range",
        "{'type':'HISTORY','roomId':'r','limit':3000000000,'id':'q'}                     | HISTORY frame: limit is out of range",
        "{'type':'RESUME','rooms':{'a':'1'},'id':'q'}                                    | RESUME frame: rooms.a must be an integer",
        "{'type':'RESUME','rooms':{'a':99999999999999999999},'id':'q'}                   | RESUME frame: rooms is out of range",
        "{'type':'RESUME','rooms':['a'],'id':'q'}                                        | RESUME frame: rooms must be an object",
        "{'type':'REFRESH_TOKEN','token':['t'],'id':'q'}                                 | REFRESH_TOKEN frame: token must be a string"})
    void refusesNumbersThatAreNotIntegersInRange(String frame, String problem) {
        assertError(frame.replace('\'', '"'), new ServerFrame.Error("INVALID_FRAME", "invalid " + problem, "q"));
    }

    @Test
    void acceptsTheLargestSeqsAndLimits() throws FrameException {
        assertThat(codec.decode("{\"type\":\"HISTORY\",\"roomId\":\"r\",\"beforeSeq\":9223372036854775807,\"limit\":2147483647}")
                .frame()).isEqualTo(new ClientFrame.History("r", Long.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void refusesDuplicateFieldsSoNoReaderCanSeeADifferentFrame() {
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"a\",\"roomId\":\"b\",\"content\":\"hi\",\"clientMsgId\":\"c\"}",
                new ServerFrame.Error("MALFORMED_FRAME", "frame is not valid JSON: duplicate field 'roomId'", null));
        assertError("{\"type\":\"PING\",\"type\":\"SEND_MESSAGE\"}",
                new ServerFrame.Error("MALFORMED_FRAME", "frame is not valid JSON: duplicate field 'type'", null));
    }

    @Test
    void refusesAFrameHoldingMoreThanOneJsonValue() {
        ServerFrame.Error twoValues = new ServerFrame.Error("MALFORMED_FRAME", "frame must hold exactly one JSON value", null);
        assertError("{\"type\":\"PING\"} {\"type\":\"PING\"}", twoValues);
        assertError("{\"type\":\"PING\"} 1", twoValues);
        assertError("{\"type\":\"PING\"}x", new ServerFrame.Error("MALFORMED_FRAME", "frame is not valid JSON", null));
    }

    @Test
    void refusesNestingDeeperThanTheLimitAndAnyNestingBomb() throws FrameException {
        // The root object is level 1: 31 arrays inside it reach the limit exactly.
        int inner = FrameCodec.MAX_NESTING_DEPTH - 1;
        assertThat(codec.decode("{\"type\":\"PING\",\"x\":" + "[".repeat(inner) + "]".repeat(inner) + "}").frame())
                .isEqualTo(new ClientFrame.Ping());
        ServerFrame.Error tooDeep = new ServerFrame.Error("MALFORMED_FRAME",
                "frame is beyond the parser's limits (nesting deeper than 32, or a number or name too long)", null);
        assertError("{\"type\":\"PING\",\"x\":" + "[".repeat(inner + 1) + "]".repeat(inner + 1) + "}", tooDeep);
        assertError("{\"type\":\"PING\",\"x\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}", tooDeep);
        assertError("[".repeat(60_000), tooDeep);
        // A 1001-digit number is refused by the parser's limit before it becomes a BigInteger.
        assertError("{\"type\":\"PING\",\"x\":" + "9".repeat(1001) + "}", tooDeep);
    }

    @Test
    void refusesRequestIdsThatAreNotValidIds() {
        assertError("{\"type\":\"PING\",\"id\":5}", new ServerFrame.Error("INVALID_FRAME", "id must be a string", null));
        assertError("{\"type\":\"PING\",\"id\":{\"a\":1}}", new ServerFrame.Error("INVALID_FRAME", "id must be a string", null));
        assertError("{\"type\":\"PING\",\"id\":\"" + "q".repeat(129) + "\"}",
                new ServerFrame.Error("INVALID_FRAME", "id is longer than 128 characters", null));
        assertError("{\"type\":\"PING\",\"id\":\"a\\u0000\"}",
                new ServerFrame.Error("INVALID_FRAME", "id has the control character U+0000 at index 1", null));
        // The send's valid clientMsgId is still the ref.
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"c\",\"id\":7}",
                new ServerFrame.Error("INVALID_FRAME", "id must be a string", "c"));
    }

    @Test
    void treatsANullIdAsAbsent() throws FrameException {
        assertThat(codec.decode("{\"type\":\"PING\",\"id\":null}")).isEqualTo(new IncomingFrame(new ClientFrame.Ping(), null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "a\\u0000b       | content has the control character U+0000 at index 1",
        "\\u0007         | content has the control character U+0007 at index 0",
        "x\\u001b[31m    | content has the control character U+001B at index 1",
        "\\u007f         | content has the control character U+007F at index 0",
        "\\u0085         | content has the control character U+0085 at index 0",
        "\\u009b2J       | content has the control character U+009B at index 0",
        "\\u001c         | content has the control character U+001C at index 0",
        "\\ud800         | content has an unpaired surrogate U+D800 at index 0",
        "x\\udc00        | content has an unpaired surrogate U+DC00 at index 1",
        "\\udc00\\ud800 | content has an unpaired surrogate U+DC00 at index 0"})
    void refusesControlCharactersAndUnpairedSurrogatesInContent(String escapedContent, String problem) {
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"" + escapedContent + "\",\"clientMsgId\":\"c\"}",
                new ServerFrame.Error("INVALID_CONTENT", problem, "c"));
        assertError("{\"type\":\"EDIT_MESSAGE\",\"roomId\":\"r\",\"messageId\":\"m\",\"content\":\"" + escapedContent
                + "\",\"id\":\"e\"}", new ServerFrame.Error("INVALID_CONTENT", problem, "e"));
    }

    @Test
    void keepsTabsLineBreaksPairsAndInvisibleCharactersAsData() throws FrameException {
        FrameCodec roomy = new FrameCodec(EdgeJson.newMapper(), 4096);
        String content = "a\tb\nc\r\n\uD83D\uDE00 \u202Eevil\u202C \u200B\uFEFF\u2028<script>";
        assertThat(roomy.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":"
                + EdgeJson.newMapper().valueToTree(content) + "}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r", content, null));
    }

    @Test
    void refusesControlCharactersInIds() {
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"a\\nb\",\"content\":\"hi\",\"clientMsgId\":\"c\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId has the control character U+000A at index 1", "c"));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"c\\t\",\"id\":\"q\"}",
                new ServerFrame.Error("INVALID_FRAME", "clientMsgId has the control character U+0009 at index 1", "q"));
        assertError("{\"type\":\"RESUME\",\"rooms\":{\"\\ud800\":1}}",
                new ServerFrame.Error("INVALID_FRAME", "rooms key has an unpaired surrogate U+D800 at index 0", null));
    }

    @Test
    void quotesAtMost64CharactersOfAnUnknownTypeAndNoControlCharacters() {
        assertError("{\"type\":\"" + "T".repeat(5000) + "\"}",
                new ServerFrame.Error("UNKNOWN_TYPE", "unknown frame type " + "T".repeat(64) + "…", null));
        assertError("{\"type\":\"\\u001b[2J\"}", new ServerFrame.Error("UNKNOWN_TYPE", "unknown frame type (unprintable)", null));
        assertError("{\"type\":\"send_message\"}", new ServerFrame.Error("UNKNOWN_TYPE", "unknown frame type send_message", null));
        assertError("{\"type\":\"ACK\"}", new ServerFrame.Error("UNKNOWN_TYPE", "unknown frame type ACK", null));
    }

    private void assertError(String text, ServerFrame.Error expected) {
        assertThat(refusal(text).toFrame()).isEqualTo(expected);
    }

    private FrameException refusal(String text) {
        FrameException e = catchThrowableOfType(FrameException.class, () -> codec.decode(text));
        assertThat(e).as("refusal of %s", text).isNotNull();
        return e;
    }
}
