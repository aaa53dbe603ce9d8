package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.FrameException;
import io.natter.edge.frames.IncomingFrame;
import io.natter.edge.ws.FrameHandler;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fuzzing user's account of {@link ProtocolFuzzIT}: what each sent message must be answered with, what came back,
 * and the checks that every message got exactly its answer and that nothing about another room reached the user.
 * The production {@link FrameCodec} says whether a text frame is valid (its refusals are tested one by one in
 * {@code FrameCodecTest} and {@code HostileInputIT}); the account then holds the edge to exactly one answer each.
 */
final class FuzzLedger {
    /** ERROR codes of frames the edge refuses before serving them. */
    static final Set<String> REFUSAL_CODES = Set.of("MALFORMED_FRAME", "INVALID_FRAME", "UNKNOWN_TYPE", "UNSUPPORTED_TYPE",
            "CONTENT_TOO_LARGE", "INVALID_CONTENT", FrameHandler.BINARY_NOT_SUPPORTED);
    /** ERROR codes that would mean the edge failed under the fuzz rather than refused it. */
    private static final Set<String> FAILURE_CODES = Set.of("TIMEOUT", "UNAVAILABLE", "PRESENCE_UNAVAILABLE",
            "HISTORY_TRUNCATED", "INTERNAL");
    /** Frames that answer a request (as opposed to room traffic: MESSAGE, a replayed MESSAGE_DELETED, PRESENCE). */
    private static final Set<String> ANSWERS = Set.of("ERROR", "ACK", "PONG", "JOINED", "LEFT", "HISTORY",
            "PRESENCE_SNAPSHOT", "PRESENCE_UNSUBSCRIBED", "TOKEN_REFRESHED", "MESSAGE_EDITED");

    /** What one sent message must be answered with. */
    sealed interface Expectation {
        /** Answers it takes (a close is no answer). */
        int answers();
    }

    /** Refused before serving: exactly ERROR {code, ref}. */
    record Refused(String code, String ref) implements Expectation {
        @Override
        public int answers() {
            return 1;
        }
    }

    /** A valid request: ERROR with {@code errorRef}, or its success frame {@code successKey}. */
    record Served(ClientFrame frame, String errorRef, String successKey) implements Expectation {
        @Override
        public int answers() {
            return 1;
        }
    }

    /** A valid RESUME: one ERROR with ref = room for each room the user may not read, and nothing else. */
    record Resumed(List<String> refusedRooms) implements Expectation {
        @Override
        public int answers() {
            return refusedRooms.size();
        }
    }

    /** A message that closes the socket with {@code code}. */
    record Closes(int code) implements Expectation {
        @Override
        public int answers() {
            return 0;
        }
    }

    private static final int RECENT = 40;

    private final ObjectMapper json = new ObjectMapper();
    private final FrameCodec codec;
    private final int maxFrameBytes;
    private final String roomA;
    private final Set<String> roomAMembers;
    private final Map<String, List<Served>> servedByRef = new HashMap<>();
    private final Map<String, Integer> refusedExpected = new HashMap<>();
    private final Map<String, Integer> resumeRefusalsExpected = new HashMap<>();
    private final List<Served> servedWithoutRef = new ArrayList<>();
    private final Map<String, Integer> refusalsByRefReceived = new HashMap<>();
    private final Map<String, List<String>> errorsByRef = new HashMap<>();
    private final Map<String, Integer> successesReceived = new HashMap<>();
    private final Map<String, String> ackedMessageIds = new HashMap<>();
    private final Map<String, Integer> countsByKind = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private Set<String> sessionSeqs = new HashSet<>();
    private int expectedAnswers;
    private int receivedAnswers;
    private int sessions = 1;

    FuzzLedger(FrameCodec codec, int maxFrameBytes, String roomA, Set<String> roomAMembers) {
        this.codec = codec;
        this.maxFrameBytes = maxFrameBytes;
        this.roomA = roomA;
        this.roomAMembers = Set.copyOf(roomAMembers);
    }

    /** What {@code message} must be answered with, judged from its bytes as the edge receives them. */
    Expectation classify(FuzzFrames.Outgoing message) {
        if (message.payload().length > maxFrameBytes) {
            return new Closes(1009);
        }
        if (message.opcode() == RawWsClient.BINARY) {
            return new Refused(FrameHandler.BINARY_NOT_SUPPORTED, null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(message.payload())).toString();
        } catch (CharacterCodingException e) {
            return new Closes(1007);
        }
        IncomingFrame incoming;
        try {
            incoming = codec.decode(text);
        } catch (FrameException e) {
            return new Refused(e.code(), e.ref());
        }
        String id = incoming.requestId();
        return switch (incoming.frame()) {
            case ClientFrame.SendMessage s -> new Served(s, s.clientMsgId(), "ACK|" + s.clientMsgId());
            case ClientFrame.EditMessage e -> new Served(e, id, "MESSAGE_EDITED|" + e.roomId() + "|" + e.messageId());
            case ClientFrame.DeleteMessage d -> new Served(d, id, "MESSAGE_DELETED|" + d.roomId() + "|" + d.messageId());
            case ClientFrame.JoinRoom j -> new Served(j, id, "JOINED|" + j.roomId());
            case ClientFrame.LeaveRoom l -> new Served(l, id, "LEFT|" + l.roomId());
            case ClientFrame.History h -> new Served(h, id, "HISTORY|" + h.roomId());
            case ClientFrame.Resume r -> new Resumed(r.rooms().keySet().stream().filter(room -> !room.equals(roomA)).toList());
            case ClientFrame.Ping p -> new Served(p, id, "PONG");
            case ClientFrame.SubscribePresence s -> new Served(s, id, "PRESENCE_SNAPSHOT|" + s.roomId());
            case ClientFrame.UnsubscribePresence u -> new Served(u, id, "PRESENCE_UNSUBSCRIBED|" + u.roomId());
            case ClientFrame.RefreshToken t -> new Served(t, id, "TOKEN_REFRESHED");
        };
    }

    /**
     * Whether answers to {@code expectation} can be told apart from all others: a served request that can fail needs
     * a ref of its own (sends may share a clientMsgId: a repeat), and a RESUME's refused rooms must be no such ref.
     */
    boolean distinguishable(Expectation expectation) {
        return switch (expectation) {
            case Served served when served.errorRef() == null ->
                    served.frame() instanceof ClientFrame.Ping || served.frame() instanceof ClientFrame.UnsubscribePresence;
            case Served served -> !resumeRefusalsExpected.containsKey(served.errorRef())
                    && (!servedByRef.containsKey(served.errorRef()) || served.frame() instanceof ClientFrame.SendMessage
                            && servedByRef.get(served.errorRef()).getFirst().frame() instanceof ClientFrame.SendMessage);
            case Resumed resumed -> resumed.refusedRooms().stream().noneMatch(servedByRef::containsKey);
            default -> true;
        };
    }

    /** Records that a message of {@code kind} was sent and must be answered as {@code expectation} says. */
    void sent(FuzzFrames.Outgoing message, Expectation expectation) {
        String kind = message.kind();
        countsByKind.merge(kind, 1, Integer::sum);
        String text = new String(message.payload(), StandardCharsets.UTF_8);
        recent.addLast(kind + " " + expectation + ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
        if (recent.size() > RECENT) {
            recent.removeFirst();
        }
        expectedAnswers += expectation.answers();
        switch (expectation) {
            case Refused refused -> refusedExpected.merge(refused.code() + "|" + refused.ref(), 1, Integer::sum);
            case Served served when served.errorRef() == null -> servedWithoutRef.add(served);
            case Served served -> servedByRef.computeIfAbsent(served.errorRef(), r -> new ArrayList<>()).add(served);
            case Resumed resumed -> resumed.refusedRooms().forEach(room -> resumeRefusalsExpected.merge(room, 1, Integer::sum));
            case Closes closes -> { }
        }
    }

    /** A new socket replaced a closed one: seqs start over. */
    void reconnected() {
        sessions++;
        sessionSeqs = new HashSet<>();
    }

    /** Answers still due. */
    int outstanding() {
        return expectedAnswers - receivedAnswers;
    }

    /** Takes one frame the fuzzing user received; returns the message id it carries for the generator, if any. */
    String received(String text) {
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JsonProcessingException e) {
            violations.add("not JSON: " + text);
            return null;
        }
        String type = frame.path("type").asText();
        boolean liveDelete = type.equals("MESSAGE_DELETED") && frame.hasNonNull("deletedBy");
        if (ANSWERS.contains(type) || liveDelete) {
            receivedAnswers++;
        }
        checkNoLeak(type, frame);
        switch (type) {
            case "ERROR" -> {
                String ref = frame.hasNonNull("ref") ? frame.get("ref").asText() : null;
                String code = frame.get("code").asText();
                if (REFUSAL_CODES.contains(code)) {
                    refusalsByRefReceived.merge(code + "|" + ref, 1, Integer::sum);
                } else {
                    errorsByRef.computeIfAbsent(ref, r -> new ArrayList<>()).add(code);
                }
            }
            case "ACK" -> {
                String clientMsgId = frame.path("clientMsgId").asText(null);
                success("ACK|" + clientMsgId);
                String earlier = ackedMessageIds.put(frame.get("messageId").asText(), clientMsgId);
                if (earlier != null && !earlier.equals(clientMsgId)) {
                    violations.add("message id acknowledged for two clientMsgIds: " + frame);
                }
                return frame.get("messageId").asText();
            }
            case "MESSAGE" -> {
                sequenced(frame);
                return frame.get("messageId").asText();
            }
            case "MESSAGE_DELETED" -> {
                if (liveDelete) {
                    success(type + "|" + frame.get("roomId").asText() + "|" + frame.get("messageId").asText());
                } else {
                    sequenced(frame);
                }
            }
            case "MESSAGE_EDITED" -> success(type + "|" + frame.get("roomId").asText() + "|" + frame.get("messageId").asText());
            case "JOINED", "LEFT", "HISTORY", "PRESENCE_SNAPSHOT", "PRESENCE_UNSUBSCRIBED" ->
                    success(type + "|" + frame.get("roomId").asText());
            case "PONG", "TOKEN_REFRESHED" -> success(type);
            case "PRESENCE" -> { }
            default -> violations.add("unknown frame type: " + frame);
        }
        return null;
    }

    /** Nothing about a room but A, and no presence of anyone who shares no room with the user. */
    private void checkNoLeak(String type, JsonNode frame) {
        if (!type.equals("ERROR") && !type.equals("PRESENCE_UNSUBSCRIBED") && frame.has("roomId")
                && !frame.get("roomId").asText().equals(roomA)) {
            violations.add("frame about another room: " + frame);
        }
        frame.path("messages").forEach(m -> {
            if (!m.path("roomId").asText().equals(roomA)) {
                violations.add("history of another room: " + frame);
            }
        });
        if (type.equals("PRESENCE") && !roomAMembers.contains(frame.path("userId").asText())) {
            violations.add("presence of a user in no room with the fuzzer: " + frame);
        }
        frame.path("users").forEach(u -> {
            if (!roomAMembers.contains(u.path("userId").asText())) {
                violations.add("presence snapshot names a user in no room with the fuzzer: " + frame);
            }
        });
    }

    /** A message occupying a seq reaches one session at most once. */
    private void sequenced(JsonNode frame) {
        String key = frame.get("roomId").asText() + "|" + frame.get("seq").asLong();
        if (!sessionSeqs.add(key)) {
            violations.add("seq delivered twice to session " + sessions + ": " + frame);
        }
    }

    private void success(String key) {
        successesReceived.merge(key, 1, Integer::sum);
    }

    /**
     * Every message got exactly its answer: the refusals match one for one; each served request (or group of sends
     * sharing a clientMsgId) got as many ERRORs with its ref plus success frames as it has members; each RESUME one
     * ERROR per refused room; and no answer is left over.
     */
    void assertEveryMessageGotExactlyItsAnswer() {
        assertThat(violations).as("leaks and duplicates").isEmpty();
        assertThat(refusalsByRefReceived).as("refusals (code|ref)").isEqualTo(refusedExpected);
        Map<String, Integer> successesExpected = new HashMap<>();
        servedWithoutRef.forEach(s -> successesExpected.merge(s.successKey(), 1, Integer::sum));
        Map<String, List<String>> errors = new HashMap<>(errorsByRef);
        for (Map.Entry<String, List<Served>> group : servedByRef.entrySet()) {
            List<String> codes = errors.remove(group.getKey());
            int failed = codes == null ? 0 : codes.size();
            assertThat(failed).as("ERRORs for ref %s (%s)", group.getKey(), group.getValue()).isLessThanOrEqualTo(group.getValue().size());
            if (codes != null) {
                assertThat(codes).as("codes for ref %s", group.getKey()).doesNotContainAnyElementsOf(FAILURE_CODES);
            }
            int succeeded = group.getValue().size() - failed;
            if (succeeded > 0) {
                successesExpected.merge(group.getValue().getFirst().successKey(), succeeded, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> room : resumeRefusalsExpected.entrySet()) {
            List<String> codes = errors.remove(room.getKey());
            assertThat(codes).as("RESUME refusals of room %s", room.getKey()).hasSize(room.getValue())
                    .allSatisfy(code -> assertThat(code).isIn("ROOM_NOT_FOUND", "NOT_A_MEMBER"));
        }
        assertThat(errors).as("ERRORs answering nothing that was sent").isEmpty();
        assertThat(successesReceived).as("success frames").isEqualTo(successesExpected);
        assertThat(receivedAnswers).isEqualTo(expectedAnswers);
    }

    /** What is still unanswered, and the last messages sent: for the failure message when answers stop coming. */
    String pending() {
        Map<String, Integer> refusals = new TreeMap<>(refusedExpected);
        refusalsByRefReceived.forEach((key, n) -> refusals.merge(key, -n, Integer::sum));
        refusals.values().removeIf(n -> n == 0);
        Map<String, Integer> resumes = new TreeMap<>();
        resumeRefusalsExpected.forEach((room, n) -> resumes.put(room, n - errorsByRef.getOrDefault(room, List.of()).size()));
        resumes.values().removeIf(n -> n == 0);
        Map<String, Integer> successes = new TreeMap<>();
        servedWithoutRef.forEach(s -> successes.merge(s.successKey(), 1, Integer::sum));
        servedByRef.forEach((ref, group) -> successes.merge(group.getFirst().successKey(),
                group.size() - errorsByRef.getOrDefault(ref, List.of()).size(), Integer::sum));
        successesReceived.forEach((key, n) -> successes.merge(key, -n, Integer::sum));
        successes.values().removeIf(n -> n == 0);
        return "refusals due " + refusals + "; RESUME refusals due " + resumes + "; successes due (negative: extra) "
                + successes + "; last sent:\n  " + String.join("\n  ", recent);
    }

    /** Requests of {@code type} the edge served (decoded valid), and how many of them were refused RATE_LIMITED. */
    int served(Class<? extends ClientFrame> type) {
        int count = servedWithoutRef.stream().filter(s -> type.isInstance(s.frame())).mapToInt(s -> 1).sum();
        for (List<Served> group : servedByRef.values()) {
            count += (int) group.stream().filter(s -> type.isInstance(s.frame())).count();
        }
        return count;
    }

    /** Requests of {@code type} answered RATE_LIMITED (nothing of them may reach Kafka). */
    int rateLimited(Class<? extends ClientFrame> type) {
        int count = 0;
        for (Map.Entry<String, List<Served>> group : servedByRef.entrySet()) {
            if (type.isInstance(group.getValue().getFirst().frame())) {
                count += (int) errorsByRef.getOrDefault(group.getKey(), List.of()).stream()
                        .filter("RATE_LIMITED"::equals).count();
            }
        }
        return count;
    }

    /** messageId -> clientMsgId of every ACK the user received. */
    Map<String, String> ackedMessageIds() {
        return Map.copyOf(ackedMessageIds);
    }

    /** Successful frames of one kind, e.g. "MESSAGE_EDITED" (prefix of the success key). */
    int successes(String kind) {
        return successesReceived.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "|"))
                .mapToInt(Map.Entry::getValue).sum();
    }

    /** A line for the test log: messages sent by kind, answers, sockets. */
    String summary() {
        Map<String, Integer> errorCodes = new TreeMap<>();
        errorsByRef.values().forEach(codes -> codes.forEach(c -> errorCodes.merge(c, 1, Integer::sum)));
        refusalsByRefReceived.forEach((key, n) -> errorCodes.merge(key.substring(0, key.indexOf('|')), n, Integer::sum));
        return "sent " + countsByKind + ", " + receivedAnswers + " answers, ERROR codes " + errorCodes
                + ", successes " + new TreeMap<>(successesReceived.entrySet().stream().collect(
                        java.util.stream.Collectors.groupingBy(e -> e.getKey().split("\\|")[0],
                                java.util.stream.Collectors.summingInt(Map.Entry::getValue))))
                + ", " + sessions + " sockets";
    }
}
