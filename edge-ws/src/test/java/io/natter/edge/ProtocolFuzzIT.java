package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.FrameCodec;
import io.natter.infra.RedisServer;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A protocol fuzz test through the real WebSocket against the real stack (broker, registry, topology, Redis, one
 * edge). A fuzzing user, member (and owner) of room A only, sends thousands of seeded random messages: valid frames,
 * mutated ones, random JSON and text, binary, fragments, and now and then one that closes its socket (oversize,
 * invalid UTF-8), after which it reconnects. Meanwhile Amy (member of A) and Bea (alone in private room B) send
 * normal traffic. The edge must stay live and ready, answer every message exactly once, never tell the fuzzer
 * anything about room B, deliver Bea exactly her own traffic, write only members' messages, and leak no session.
 * <p>Reproduce a failure with {@code -Dnatter.fuzz.seed=<the printed seed>}; {@code -Dnatter.fuzz.frames=N} sets
 * the number of messages (default 3000).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolFuzzIT {
    static final String SEED_PROPERTY = "natter.fuzz.seed";
    static final String FRAMES_PROPERTY = "natter.fuzz.frames";
    private static final String ROOM_A = "fuzz-room-a";
    private static final String ROOM_B = "fuzz-room-b";
    private static final String FUZZER = "fuzzer";
    private static final String AMY = "amy";
    private static final String BEA = "bea";
    private static final int MAX_FRAME_BYTES = 65_536;
    /** Answers the fuzzer lets be outstanding before it waits: keeps many requests in flight at once. */
    private static final int WINDOW = 32;
    /** Amy and Bea each send one message per this many fuzz messages. */
    private static final int NORMAL_TRAFFIC_EVERY = 30;
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private RedisServer redis;
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;

    @BeforeAll
    void startStack(@TempDir Path dataDir) throws Exception {
        redis = RedisServer.start(dataDir.resolve("redis"), 0);
        stack = EdgeItStack.start(dataDir, "protocol-fuzz-it", 3, Map.of());
        // Redis up, so presence frames are part of the fuzz. The fuzzer's writes reach the rate limit now and then;
        // Amy's and Bea's (one per 30 fuzz messages, under 20/s at the fastest fuzz seen) never do.
        edge = stack.startEdge("edge-fuzz", Map.of(
                "NATTER_REDIS_URI", redis.uri(),
                "NATTER_MAX_FRAME_BYTES", String.valueOf(MAX_FRAME_BYTES),
                "NATTER_RATE_LIMIT_PER_SECOND", "50",
                "NATTER_RATE_LIMIT_BURST", "50"));
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.presence().tracker().connectedToRedis());
        tokens = stack.tokens();
        EdgeRest rest = new EdgeRest(http, edge::port, tokens);
        rest.createRoom(FUZZER, ROOM_A, "private", List.of(AMY));
        rest.createRoom(BEA, ROOM_B, "private", List.of());
    }

    @AfterAll
    void stopStack() {
        EdgeRest.closeQuietly(stack);
        EdgeRest.closeQuietly(redis);
        http.close();
    }

    @Test
    void fuzzedFramesNeverCrashTheEdgeAreEachAnsweredOnceAndNeverLeakAnotherRoom() throws Exception {
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        int frames = Integer.getInteger(FRAMES_PROPERTY, 3000);
        System.out.printf("ProtocolFuzzIT: seed %d, %d frames (rerun with -D%s=%d)%n", seed, frames, SEED_PROPERTY, seed);

        FuzzFrames generator = new FuzzFrames(seed, ROOM_A, ROOM_B, List.of(token(FUZZER), token(BEA),
                tokens.sign(FUZZER, Duration.ofMinutes(-5)), "not.a.token", ""), MAX_FRAME_BYTES);
        FuzzLedger ledger = new FuzzLedger(new FrameCodec(EdgeJson.newMapper(), 4096), MAX_FRAME_BYTES, ROOM_A,
                Set.of(FUZZER, AMY));
        HealthWatch health = HealthWatch.start(http, edge.port());
        List<String> closeProblems = new ArrayList<>();
        int amySent = 0;
        int beaSent = 0;
        long started = System.nanoTime();
        RawWsClient fuzzer = null;
        try (WsTestClient amy = connect(AMY); WsTestClient bea = connect(BEA)) {
            fuzzer = RawWsClient.connect(edge.port(), FUZZER, token(FUZZER));
            for (int i = 0; i < frames; i++) {
                FuzzFrames.Outgoing message;
                FuzzLedger.Expectation expectation;
                do {
                    message = generator.next();
                    expectation = ledger.classify(message);
                } while (!ledger.distinguishable(expectation));

                if (expectation instanceof FuzzLedger.Closes closes) {
                    // Its earlier answers first: they are lost once the socket closes.
                    awaitAnswers(fuzzer, ledger, generator, 0);
                    ledger.sent(message, expectation);
                    try {
                        send(fuzzer, message);
                    } catch (IOException e) {
                        // The edge may close before reading the rest of an oversize message; its close frame came first.
                        System.out.printf("ProtocolFuzzIT: %s not fully written: %s%n", message.kind(), e);
                    }
                    RawWsClient.Close close = fuzzer.closed().get(FRAME_WAIT.toSeconds(), TimeUnit.SECONDS);
                    if (close.code() != closes.code()) {
                        closeProblems.add(message.kind() + " closed with " + close + ", expected " + closes.code());
                    }
                    drain(fuzzer, ledger, generator);
                    fuzzer.close();
                    fuzzer = RawWsClient.connect(edge.port(), FUZZER, token(FUZZER));
                    ledger.reconnected();
                } else {
                    awaitAnswers(fuzzer, ledger, generator, WINDOW - 1);
                    ledger.sent(message, expectation);
                    send(fuzzer, message);
                    drain(fuzzer, ledger, generator);
                }
                if (i % NORMAL_TRAFFIC_EVERY == 0) {
                    amy.send(sendFrame(ROOM_A, "amy-" + amySent, "amy says " + amySent++));
                    bea.send(sendFrame(ROOM_B, "bea-" + beaSent, "bea says " + beaSent++));
                }
            }
            awaitAnswers(fuzzer, ledger, generator, 0);
            long fuzzMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            // Late or extra answers would show up here.
            String late;
            while ((late = fuzzer.pollText(Duration.ofSeconds(1))) != null) {
                ledger.received(late);
            }
            fuzzer.close();
            System.out.printf("ProtocolFuzzIT: %d frames in %d ms (%.0f/s); %s%n", frames, fuzzMs,
                    frames * 1000.0 / fuzzMs, ledger.summary());

            assertThat(closeProblems).isEmpty();
            ledger.assertEveryMessageGotExactlyItsAnswer();
            List<ChatMessage> sent = stack.sentMessages();
            assertOnlyMembersMessagesWereWritten(sent, ledger, amySent, beaSent);
            assertFuzzerCommandsAreExactlyItsServedRequests(ledger);
            assertAmyGotRoomAExactly(amy, amySent, sent, ledger);
            assertBeaGotExactlyHerOwnTraffic(bea, beaSent);
        } finally {
            EdgeRest.closeQuietly(fuzzer);
            health.stop();
        }
        assertThat(health.failures()).as("health checks that were not 200").isEmpty();
        assertThat(health.checks()).isPositive();
        await().atMost(FRAME_WAIT).until(() -> edge.sessionCount() == 0);
        assertThat(scrape("chat_ws_active_sessions")).isEqualTo(0.0);
        assertThat(scrape("chat_frames_dropped_total")).as("presence frames dropped (would make answers inexact)").isEqualTo(0.0);
        assertThat(scrape("chat_slow_consumer_closes_total")).isEqualTo(0.0);
        System.out.printf("ProtocolFuzzIT: %d health checks all 200; sessions back to 0%n", health.checks());
    }

    /** Reads answers until at most {@code outstanding} are due, failing if they stop coming. */
    private void awaitAnswers(RawWsClient fuzzer, FuzzLedger ledger, FuzzFrames generator, int outstanding)
            throws InterruptedException {
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (ledger.outstanding() > outstanding) {
            String text = fuzzer.pollText(Duration.ofMillis(100));
            if (text != null) {
                learn(generator, ledger.received(text));
            } else {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(ledger.outstanding() + " answers still due after " + ANSWER_WAIT + ": "
                            + ledger.pending());
                }
            }
        }
    }

    /** Takes every frame already received, without waiting. */
    private void drain(RawWsClient fuzzer, FuzzLedger ledger, FuzzFrames generator) throws InterruptedException {
        String text;
        while ((text = fuzzer.pollText(Duration.ZERO)) != null) {
            learn(generator, ledger.received(text));
        }
    }

    private static void learn(FuzzFrames generator, String messageId) {
        if (messageId != null) {
            generator.learnMessageId(messageId);
        }
    }

    private static void send(RawWsClient fuzzer, FuzzFrames.Outgoing message) throws Exception {
        byte[] payload = message.payload();
        int parts = Math.min(message.fragments(), Math.max(1, payload.length));
        int from = 0;
        for (int part = 1; part <= parts; part++) {
            int to = part == parts ? payload.length : payload.length * part / parts;
            fuzzer.sendFrame(part == parts, part == 1 ? message.opcode() : RawWsClient.CONTINUATION,
                    Arrays.copyOfRange(payload, from, to));
            from = to;
        }
    }

    /** The sent topic holds A's messages from the fuzzer (each acknowledged to it) and Amy, and B's from Bea only. */
    private void assertOnlyMembersMessagesWereWritten(List<ChatMessage> sent, FuzzLedger ledger, int amySent, int beaSent) {
        Map<String, List<ChatMessage>> byRoom = sent.stream().collect(Collectors.groupingBy(ChatMessage::getRoomId));
        assertThat(byRoom).containsOnlyKeys(ROOM_A, ROOM_B);
        assertThat(byRoom.get(ROOM_B)).extracting(ChatMessage::getSenderId).containsOnly(BEA).hasSize(beaSent);
        assertThat(byRoom.get(ROOM_B)).extracting(ChatMessage::getSeq)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, beaSent).boxed().toList());
        List<ChatMessage> roomA = byRoom.get(ROOM_A);
        assertThat(roomA).extracting(ChatMessage::getSenderId).containsOnly(FUZZER, AMY);
        assertThat(roomA).extracting(ChatMessage::getSeq)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, roomA.size()).boxed().toList());
        assertThat(roomA.stream().filter(m -> m.getSenderId().equals(AMY)).count()).isEqualTo(amySent);
        Map<String, String> fuzzerMessages = roomA.stream().filter(m -> m.getSenderId().equals(FUZZER))
                .collect(Collectors.toMap(ChatMessage::getMessageId, ChatMessage::getClientMsgId));
        assertThat(fuzzerMessages).isEqualTo(ledger.ackedMessageIds());
    }

    /** Every command of the fuzzer is one of its served requests that was not rate limited, and each produced one. */
    private void assertFuzzerCommandsAreExactlyItsServedRequests(FuzzLedger ledger) {
        Map<Class<?>, Integer> commands = new HashMap<>();
        for (RoomCommand command : stack.roomCommands()) {
            if (command.getActorId().equals(FUZZER) && command.getOrigin().getSessionId() != null) {
                commands.merge(command.getPayload().getClass(), 1, Integer::sum);
            }
        }
        Map<Class<?>, Integer> expected = new HashMap<>();
        expected.put(SendMessageRequested.class, ledger.served(ClientFrame.SendMessage.class)
                - ledger.rateLimited(ClientFrame.SendMessage.class));
        expected.put(EditMessageRequested.class, ledger.served(ClientFrame.EditMessage.class)
                - ledger.rateLimited(ClientFrame.EditMessage.class));
        expected.put(DeleteMessageRequested.class, ledger.served(ClientFrame.DeleteMessage.class)
                - ledger.rateLimited(ClientFrame.DeleteMessage.class));
        expected.put(JoinRoomRequested.class, ledger.served(ClientFrame.JoinRoom.class));
        expected.put(LeaveRoomRequested.class, ledger.served(ClientFrame.LeaveRoom.class));
        expected.values().removeIf(n -> n == 0);
        assertThat(commands).as("fuzzer's commands by type").isEqualTo(expected);
    }

    /**
     * Amy got every message of A once, in seq order with no gap, the fuzzer's edits and deletes, an ACK for each of
     * her sends, and nothing about any other room.
     */
    private void assertAmyGotRoomAExactly(WsTestClient amy, int amySent, List<ChatMessage> sent, FuzzLedger ledger) {
        long lastSeq = sent.stream().filter(m -> m.getRoomId().equals(ROOM_A)).mapToLong(ChatMessage::getSeq).max().orElse(0);
        List<Long> seqs = new ArrayList<>();
        Set<String> acks = new HashSet<>();
        Map<String, Integer> updates = new HashMap<>();
        while (seqs.size() < lastSeq || acks.size() < amySent
                || updates.values().stream().mapToInt(n -> n).sum() < ledger.successes("MESSAGE_EDITED") + ledger.successes("MESSAGE_DELETED")) {
            JsonNode frame = amy.next(FRAME_WAIT);
            String type = frame.get("type").asText();
            switch (type) {
                case "MESSAGE" -> seqs.add(frame.get("seq").asLong());
                case "ACK" -> assertThat(acks.add(frame.get("clientMsgId").asText())).as("second ACK %s", frame).isTrue();
                case "MESSAGE_EDITED", "MESSAGE_DELETED" -> updates.merge(type, 1, Integer::sum);
                default -> throw new AssertionError("amy got " + frame);
            }
            if (!type.equals("ACK")) {
                assertThat(frame.get("roomId").asText()).isEqualTo(ROOM_A);
            }
        }
        amy.assertNoFrameWithin(Duration.ofMillis(500));
        assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, lastSeq).boxed().toList());
        assertThat(acks).hasSize(amySent);
        assertThat(updates.getOrDefault("MESSAGE_EDITED", 0)).isEqualTo(ledger.successes("MESSAGE_EDITED"));
        assertThat(updates.getOrDefault("MESSAGE_DELETED", 0)).isEqualTo(ledger.successes("MESSAGE_DELETED"));
    }

    /** Bea got exactly her own messages (seq 1..n) and ACKs, and nothing else. */
    private void assertBeaGotExactlyHerOwnTraffic(WsTestClient bea, int beaSent) {
        List<String> messages = new ArrayList<>();
        Set<String> acks = new HashSet<>();
        for (int i = 0; i < 2 * beaSent; i++) {
            JsonNode frame = bea.next(FRAME_WAIT);
            switch (frame.get("type").asText()) {
                case "MESSAGE" -> {
                    assertThat(frame.get("roomId").asText()).isEqualTo(ROOM_B);
                    assertThat(frame.get("senderId").asText()).isEqualTo(BEA);
                    messages.add(frame.get("seq").asLong() + "|" + frame.get("content").asText());
                }
                case "ACK" -> acks.add(frame.get("clientMsgId").asText());
                default -> throw new AssertionError("bea got " + frame);
            }
        }
        bea.assertNoFrameWithin(Duration.ofMillis(500));
        assertThat(messages).containsExactlyElementsOf(LongStream.range(0, beaSent)
                .mapToObj(i -> (i + 1) + "|bea says " + i).toList());
        assertThat(acks).hasSize(beaSent);
    }

    private double scrape(String metric) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith(metric + " ") || line.startsWith(metric + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + metric + " in /metrics"));
    }

    private String sendFrame(String roomId, String clientMsgId, String content) {
        return json.createObjectNode().put("type", "SEND_MESSAGE").put("roomId", roomId).put("content", content)
                .put("clientMsgId", clientMsgId).toString();
    }

    private WsTestClient connect(String user) {
        return WsTestClient.connect(http, edge.port(), user, token(user));
    }

    private String token(String user) {
        return tokens.sign(user, Duration.ofMinutes(10));
    }

    /** Polls live and ready every 100 ms and keeps every answer that was not 200. */
    private static final class HealthWatch {
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicInteger checks = new AtomicInteger();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        static HealthWatch start(HttpClient http, int port) {
            HealthWatch watch = new HealthWatch();
            watch.timer.scheduleWithFixedDelay(() -> {
                for (String path : List.of("/health/live", "/health/ready")) {
                    try {
                        int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status != 200) {
                            watch.failures.add(path + " " + status);
                        }
                    } catch (Exception e) {
                        watch.failures.add(path + " " + e);
                    }
                    watch.checks.incrementAndGet();
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            return watch;
        }

        void stop() throws InterruptedException {
            timer.shutdown();
            assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        List<String> failures() {
            return failures;
        }

        int checks() {
            return checks.get();
        }
    }
}
