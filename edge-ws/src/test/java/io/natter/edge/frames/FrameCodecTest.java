package io.natter.edge.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.natter.edge.EdgeJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    void contentLimitCountsUtf8BytesNotCharacters() throws FrameException {
        // 5 x "é" = 10 bytes: exactly at the limit.
        assertThat(codec.decode("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"ééééé\"}").frame())
                .isEqualTo(new ClientFrame.SendMessage("r", "ééééé", null));
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"éééééé\",\"clientMsgId\":\"c9\"}",
                new ServerFrame.Error("CONTENT_TOO_LARGE", "content is 12 bytes, the limit is 10", "c9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "{\"type\":\"PING\",}", ""})
    void refusesMalformedJson(String text) {
        assertThat(refusal(text).code()).isEqualTo("MALFORMED_FRAME");
        assertThat(refusal(text).ref()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"EDIT_MESSAGE", "DELETE_MESSAGE", "HISTORY", "RESUME", "REFRESH_TOKEN"})
    void refusesLaterTypesAsUnsupported(String type) {
        assertError("{\"type\":\"" + type + "\",\"id\":\"q7\"}",
                new ServerFrame.Error("UNSUPPORTED_TYPE", type + " is not supported yet", "q7"));
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
        assertError("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"hi\",\"clientMsgId\":\"\"}",
                new ServerFrame.Error("INVALID_FRAME", "clientMsgId is required", ""));
        assertError("{\"type\":\"JOIN_ROOM\",\"id\":\"q3\"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", "q3"));
        assertError("{\"type\":\"LEAVE_ROOM\",\"roomId\":\" \"}",
                new ServerFrame.Error("INVALID_FRAME", "roomId is required", null));
    }

    @Test
    void refusesFieldsOfTheWrongJsonType() {
        FrameException e = refusal("{\"type\":\"JOIN_ROOM\",\"roomId\":{\"a\":1},\"id\":\"q\"}");
        assertThat(e.code()).isEqualTo("INVALID_FRAME");
        assertThat(e.ref()).isEqualTo("q");
        assertThat(e.getMessage()).startsWith("invalid JOIN_ROOM frame: ");
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
