package io.natter.edge.frames;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.natter.edge.Identifiers;
import io.natter.edge.MessageText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decodes client frames (text parsed once, strictly, then bound to a {@link ClientFrame} record and validated) and
 * encodes server frames. Every refusal is a {@link FrameException} with a stable code.
 */
public final class FrameCodec {
    /** Frame types of the protocol that later issues implement (none left). */
    public static final Set<String> LATER_TYPES = Set.of();
    /** Most rooms one RESUME may name; bounds the history reads one frame can start. */
    public static final int MAX_RESUME_ROOMS = 1000;
    /** Most attachments one SEND_MESSAGE may name: the room topology's limit, refused here before any write. */
    public static final int MAX_ATTACHMENTS = 10;
    /** Deepest nesting a frame may have: frames use 2 levels, the rest leaves room for fields added later. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Characters of a client's text (an unknown type) quoted back in an error message. */
    private static final int MAX_ECHO = 64;
    private static final Set<String> KNOWN_TYPES = Arrays.stream(ClientFrame.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name)
            .collect(Collectors.toUnmodifiableSet());

    private final ObjectMapper mapper;
    // One writer for every server frame: writerFor resolves the polymorphic serializer, which costs per call.
    private final ObjectWriter serverFrames;
    private final ObjectMapper reader;
    private final int maxContentBytes;

    public FrameCodec(ObjectMapper mapper, int maxContentBytes) {
        this.mapper = mapper;
        this.serverFrames = mapper.writerFor(ServerFrame.class);
        this.reader = strictReader(mapper);
        this.maxContentBytes = maxContentBytes;
    }

    /**
     * A copy of {@code mapper} that reads frames strictly: one JSON value per frame, no duplicate field (a proxy and
     * the edge could read different values), nesting bounded, and no coercion between JSON types.
     */
    private static ObjectMapper strictReader(ObjectMapper mapper) {
        ObjectMapper strict = mapper.copy();
        strict.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH).build());
        strict.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        strict.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            strict.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : List.of(CoercionInputShape.String, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            strict.coercionConfigFor(LogicalType.Integer).setCoercion(shape, CoercionAction.Fail);
        }
        return strict;
    }

    /** The frame in {@code text}, or a {@link FrameException} naming what is wrong with it. */
    public IncomingFrame decode(String text) throws FrameException {
        JsonNode node = parse(text);
        if (!node.isObject()) {
            throw new FrameException("INVALID_FRAME", "frame must be a JSON object", null);
        }
        JsonNode id = present(node.get("id"));
        String requestId = id != null && id.isTextual() && Identifiers.problem("id", id.asText()) == null
                ? id.asText() : null;
        JsonNode type = node.get("type");
        // ERROR.ref echoes only a valid id: the send's clientMsgId, else the frame's id.
        String clientMsgId = "SEND_MESSAGE".equals(textOrNull(type)) ? textOrNull(node.get("clientMsgId")) : null;
        String ref = clientMsgId != null && Identifiers.problem("clientMsgId", clientMsgId) == null ? clientMsgId : requestId;
        if (id != null && requestId == null) {
            throw new FrameException("INVALID_FRAME",
                    id.isTextual() ? Identifiers.problem("id", id.asText()) : "id must be a string", ref);
        }
        if (type == null || !type.isTextual()) {
            throw new FrameException("INVALID_FRAME", "type is required", ref);
        }
        if (LATER_TYPES.contains(type.asText())) {
            throw new FrameException("UNSUPPORTED_TYPE", type.asText() + " is not supported yet", ref);
        }
        if (!KNOWN_TYPES.contains(type.asText())) {
            throw new FrameException("UNKNOWN_TYPE", "unknown frame type " + echo(type.asText()), ref);
        }
        requireStringArrayIfPresent(node, "SEND_MESSAGE", "attachments", ref);
        ClientFrame frame;
        try {
            frame = reader.treeToValue(node, ClientFrame.class);
        } catch (JsonProcessingException e) {
            throw new FrameException("INVALID_FRAME", "invalid " + type.asText() + " frame: " + fieldProblem(e), ref);
        }
        validate(frame, ref);
        return new IncomingFrame(frame, requestId);
    }

    /** The frame's one JSON value; MALFORMED_FRAME (no ref: nothing of it can be trusted) when there is none. */
    private JsonNode parse(String text) throws FrameException {
        JsonNode node;
        try {
            node = reader.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new FrameException("MALFORMED_FRAME", "frame is beyond the parser's limits (nesting deeper than "
                    + MAX_NESTING_DEPTH + ", or a number or name too long)", null);
        } catch (MismatchedInputException e) {
            throw new FrameException("MALFORMED_FRAME", "frame must hold exactly one JSON value", null);
        } catch (JsonProcessingException e) {
            String original = e.getOriginalMessage();
            throw new FrameException("MALFORMED_FRAME", original != null && original.startsWith("Duplicate field")
                    ? "frame is not valid JSON: " + original.replace("Duplicate field", "duplicate field")
                    : "frame is not valid JSON", null);
        }
        if (node == null || node.isMissingNode()) {
            throw new FrameException("MALFORMED_FRAME", "frame is empty", null);
        }
        return node;
    }

    /** What is wrong with a field that did not bind, in the client's terms. */
    private static String fieldProblem(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException bind) || bind.getPath().isEmpty()) {
            return e.getOriginalMessage();
        }
        String field = bind.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (e.getCause() instanceof InputCoercionException) {
            return field + " is out of range";
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return field + " must be " + jsonType(mismatch.getTargetType());
        }
        return field + " is invalid";
    }

    private static String jsonType(Class<?> target) {
        if (target == String.class) {
            return "a string";
        }
        if (target == Long.class || target == long.class || target == Integer.class || target == int.class) {
            return "an integer";
        }
        return Map.class.isAssignableFrom(target) ? "an object" : "a " + target.getSimpleName();
    }

    /** The JSON text of {@code frame}. */
    public String encode(ServerFrame frame) {
        try {
            return serverFrames.writeValueAsString(frame);
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
                validateAttachments(send.attachments(), ref);
                // A message of attachments only may have no text.
                requireContent(send.content(), !send.attachments().isEmpty(), ref);
            }
            case ClientFrame.EditMessage edit -> {
                requireId("roomId", edit.roomId(), ref);
                requireId("messageId", edit.messageId(), ref);
                requireContent(edit.content(), false, ref);
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

    private void requireContent(String content, boolean optional, String ref) throws FrameException {
        if (content == null) {
            if (optional) {
                return;
            }
            throw new FrameException("INVALID_FRAME", "content is required", ref);
        }
        int bytes = content.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxContentBytes) {
            throw new FrameException("CONTENT_TOO_LARGE", "content is " + bytes + " bytes, the limit is " + maxContentBytes, ref);
        }
        String problem = MessageText.problem("content", content);
        if (problem != null) {
            throw new FrameException("INVALID_CONTENT", problem, ref);
        }
        if (content.isBlank() && !optional) {
            throw new FrameException("INVALID_FRAME", "content is required", ref);
        }
    }

    private static void validateAttachments(List<String> attachments, String ref) throws FrameException {
        if (attachments.size() > MAX_ATTACHMENTS) {
            throw new FrameException("TOO_MANY_ATTACHMENTS", "a message carries at most " + MAX_ATTACHMENTS
                    + " attachments, not " + attachments.size(), ref);
        }
        Set<String> seen = new HashSet<>();
        for (String attachmentId : attachments) {
            requireId("attachments item", attachmentId, ref);
            if (!seen.add(attachmentId)) {
                throw new FrameException("DUPLICATE_ATTACHMENT", "attachment " + attachmentId + " is named twice", ref);
            }
        }
    }

    /**
     * Refuses a {@code field} of a {@code frameType} frame that is present but not an array of strings; binding
     * alone would turn numbers and booleans into strings.
     */
    private static void requireStringArrayIfPresent(JsonNode node, String frameType, String field, String ref)
            throws FrameException {
        JsonNode value = node.get(field);
        if (!frameType.equals(node.get("type").asText()) || value == null || value.isNull()) {
            return;
        }
        boolean strings = value.isArray();
        for (JsonNode item : value) {
            strings &= item.isTextual();
        }
        if (!strings) {
            throw new FrameException("INVALID_FRAME", field + " must be an array of strings", ref);
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

    /** {@code node}, or null when absent or JSON null (a client serializing an unset optional). */
    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    /** {@code text} cut to {@value #MAX_ECHO} code points, or a placeholder when it holds control characters. */
    private static String echo(String text) {
        if (MessageText.problemInId("type", text) != null) {
            return "(unprintable)";
        }
        return text.codePointCount(0, text.length()) <= MAX_ECHO ? text
                : text.substring(0, text.offsetByCodePoints(0, MAX_ECHO)) + "…";
    }
}
