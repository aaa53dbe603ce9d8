package io.natter.edge.frames;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.Identifiers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decodes client frames (text parsed once, then bound to a {@link ClientFrame} record and validated) and
 * encodes server frames. Every refusal is a {@link FrameException} with a stable code.
 */
public final class FrameCodec {
    /** Frame types of the protocol that later issues implement (none left). */
    public static final Set<String> LATER_TYPES = Set.of();
    /** Most rooms one RESUME may name; bounds the history reads one frame can start. */
    public static final int MAX_RESUME_ROOMS = 1000;
    private static final Set<String> KNOWN_TYPES = Arrays.stream(ClientFrame.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name)
            .collect(Collectors.toUnmodifiableSet());

    private final ObjectMapper mapper;
    private final int maxContentBytes;

    public FrameCodec(ObjectMapper mapper, int maxContentBytes) {
        this.mapper = mapper;
        this.maxContentBytes = maxContentBytes;
    }

    /** The frame in {@code text}, or a {@link FrameException} naming what is wrong with it. */
    public IncomingFrame decode(String text) throws FrameException {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException("MALFORMED_FRAME", "frame is not valid JSON", null);
        }
        if (node == null || node.isMissingNode()) {
            throw new FrameException("MALFORMED_FRAME", "frame is empty", null);
        }
        if (!node.isObject()) {
            throw new FrameException("INVALID_FRAME", "frame must be a JSON object", null);
        }
        String requestId = textOrNull(node.get("id"));
        JsonNode type = node.get("type");
        String ref = "SEND_MESSAGE".equals(textOrNull(type)) && textOrNull(node.get("clientMsgId")) != null
                ? textOrNull(node.get("clientMsgId")) : requestId;
        if (type == null || !type.isTextual()) {
            throw new FrameException("INVALID_FRAME", "type is required", ref);
        }
        if (LATER_TYPES.contains(type.asText())) {
            throw new FrameException("UNSUPPORTED_TYPE", type.asText() + " is not supported yet", ref);
        }
        if (!KNOWN_TYPES.contains(type.asText())) {
            throw new FrameException("UNKNOWN_TYPE", "unknown frame type " + type.asText(), ref);
        }
        ClientFrame frame;
        try {
            frame = mapper.treeToValue(node, ClientFrame.class);
        } catch (JsonProcessingException e) {
            throw new FrameException("INVALID_FRAME", "invalid " + type.asText() + " frame: " + e.getOriginalMessage(), ref);
        }
        validate(frame, ref);
        return new IncomingFrame(frame, requestId);
    }

    /** The JSON text of {@code frame}. */
    public String encode(ServerFrame frame) {
        try {
            return mapper.writerFor(ServerFrame.class).writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame, e);
        }
    }

    private void validate(ClientFrame frame, String ref) throws FrameException {
        switch (frame) {
            case ClientFrame.SendMessage send -> {
                requireId("roomId", send.roomId(), ref);
                if (send.clientMsgId() != null) {
                    requireId("clientMsgId", send.clientMsgId(), ref);
                }
                requireContent(send.content(), ref);
            }
            case ClientFrame.EditMessage edit -> {
                requireId("roomId", edit.roomId(), ref);
                requireId("messageId", edit.messageId(), ref);
                requireContent(edit.content(), ref);
            }
            case ClientFrame.DeleteMessage delete -> {
                requireId("roomId", delete.roomId(), ref);
                requireId("messageId", delete.messageId(), ref);
            }
            case ClientFrame.JoinRoom join -> requireId("roomId", join.roomId(), ref);
            case ClientFrame.LeaveRoom leave -> requireId("roomId", leave.roomId(), ref);
            case ClientFrame.History history -> {
                requireId("roomId", history.roomId(), ref);
                if (history.beforeSeq() != null && history.beforeSeq() < 1) {
                    throw new FrameException("INVALID_FRAME", "beforeSeq must be at least 1", ref);
                }
                if (history.limit() != null && history.limit() < 1) {
                    throw new FrameException("INVALID_FRAME", "limit must be at least 1", ref);
                }
            }
            case ClientFrame.Resume resume -> validateResume(resume, ref);
            case ClientFrame.Ping ping -> { }
            case ClientFrame.SubscribePresence subscribe -> requireId("roomId", subscribe.roomId(), ref);
            case ClientFrame.UnsubscribePresence unsubscribe -> requireId("roomId", unsubscribe.roomId(), ref);
            case ClientFrame.RefreshToken refresh -> {
                if (refresh.token() == null || refresh.token().isBlank()) {
                    throw new FrameException("INVALID_FRAME", "token is required", ref);
                }
            }
        }
    }

    private void requireContent(String content, String ref) throws FrameException {
        if (content == null || content.isBlank()) {
            throw new FrameException("INVALID_FRAME", "content is required", ref);
        }
        int bytes = content.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxContentBytes) {
            throw new FrameException("CONTENT_TOO_LARGE", "content is " + bytes + " bytes, the limit is " + maxContentBytes, ref);
        }
    }

    private static void validateResume(ClientFrame.Resume resume, String ref) throws FrameException {
        if (resume.rooms() == null) {
            throw new FrameException("INVALID_FRAME", "rooms is required", ref);
        }
        if (resume.rooms().size() > MAX_RESUME_ROOMS) {
            throw new FrameException("INVALID_FRAME", "rooms names more than " + MAX_RESUME_ROOMS + " rooms", ref);
        }
        for (Map.Entry<String, Long> room : resume.rooms().entrySet()) {
            requireId("rooms key", room.getKey(), ref);
            if (room.getValue() == null || room.getValue() < 0) {
                throw new FrameException("INVALID_FRAME", "rooms." + room.getKey() + " must be a seq of at least 0", ref);
            }
        }
        if (resume.epochs() != null) {
            for (Map.Entry<String, Integer> epoch : resume.epochs().entrySet()) {
                if (!resume.rooms().containsKey(epoch.getKey()) || epoch.getValue() == null || epoch.getValue() < 0) {
                    throw new FrameException("INVALID_FRAME", "epochs." + epoch.getKey()
                            + " must be an epoch of at least 0 for a room in rooms", ref);
                }
            }
        }
    }

    private static void requireId(String field, String value, String ref) throws FrameException {
        String problem = Identifiers.problem(field, value);
        if (problem != null) {
            throw new FrameException("INVALID_FRAME", problem, ref);
        }
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
