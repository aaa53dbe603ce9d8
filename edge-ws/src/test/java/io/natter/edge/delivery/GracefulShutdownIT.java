package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.EdgeServer;
import io.natter.edge.admission.Admission;
import io.natter.topologies.TopologiesApp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains an edge: the child-process test terminates an edge while its clients send continuously and checks
 * that every send it took was answered before its sockets closed with 1001, that nothing acknowledged is missing,
 * and that the clients RESUME on another edge with no gap; the in-process test holds a drain open on a command with
 * no verdict (no topology runs) to check what the edge refuses meanwhile.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GracefulShutdownIT {
    private static final int SENDERS = 6;
    private static final int MESSAGES_PER_SENDER = 40;
    private static final int WINDOW = 3;
    private static final Duration SEND_INTERVAL = Duration.ofMillis(20);
    private static final int TERM_AFTER_ACKS = 60;
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(10);
    private static final Duration FRAME_WAIT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private DeliveryStack stack;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = DeliveryStack.start(dataDir, "GracefulShutdownIT");
    }

    @AfterAll
    void stopStack() {
        stack.close();
    }

    @Test
    void sigtermAnswersEverySendTakenClosesWith1001ExitsZeroAndClientsResumeElsewhereWithNoGap() throws Exception {
        long started = System.nanoTime();
        DeliveryStack.TwoEdges edges = stack.startTopologyAndTwoEdges(
                Map.of("NATTER_SHUTDOWN_DRAIN_MS", Long.toString(DRAIN_BOUND.toMillis())));
        TopologiesApp topologies = edges.topologies();
        List<ChatClient> senders = new ArrayList<>();
        List<ChatClient> watchers = new ArrayList<>();
        try {
            DeliveryStack.Service edgeA = edges.edgeA();
            DeliveryStack.Service edgeB = edges.edgeB();
            System.out.printf("GracefulShutdownIT: stack up in %d ms%n", millisSince(started));

            List<String> rooms = List.of("drain-0", "drain-1", "drain-2");
            // Users 0..5 send through edge A, two rooms each; users 6 and 7 watch every room on edge B.
            Roster roster = Roster.sendersAndTwoWatchers(SENDERS, rooms);
            roster.createRooms(stack, edgeB.port());
            for (String user : roster.roomsByUser().keySet()) {
                ChatClient client = new ChatClient(user, stack.http(), stack.token(user));
                boolean sender = senders.size() < SENDERS;
                (sender ? senders : watchers).add(client);
                client.connect(sender ? edgeA.port() : edgeB.port());
            }
            AtomicInteger acks = new AtomicInteger();
            CompletableFuture<Void> termTime = new CompletableFuture<>();
            senders.forEach(c -> c.onAck(reply -> {
                if (acks.incrementAndGet() == TERM_AFTER_ACKS) {
                    termTime.complete(null);
                }
            }));
            senders.forEach(c -> c.startSending(roster.plan(c.userId(), MESSAGES_PER_SENDER), WINDOW, SEND_INTERVAL));

            termTime.orTimeout(60, TimeUnit.SECONDS).join();
            long termAt = System.nanoTime();
            edgeA.terminate();
            await("every client of edge A closed").atMost(DRAIN_BOUND.plusSeconds(5))
                    .until(() -> senders.stream().noneMatch(ChatClient::connected));
            long socketsClosedMs = millisSince(termAt);
            Process exited = edgeA.onExit().get(DRAIN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            long exitMs = millisSince(termAt);
            System.out.printf("GracefulShutdownIT: SIGTERM after %d ACKs; sockets closed after %d ms, exit %d after %d "
                    + "ms; edge log: %s%n", acks.get(), socketsClosedMs, exited.exitValue(), exitMs, drainLines(edgeA));
            assertThat(exited.exitValue()).as("exit status after SIGTERM").isZero();
            assertThat(exitMs).as("ms from SIGTERM to exit").isLessThan(DRAIN_BOUND.toMillis());

            int refusedWhileDraining = 0;
            for (ChatClient sender : senders) {
                assertThat(sender.closes()).as("%s: how edge A closed its socket", sender).singleElement()
                        .satisfies(closed -> {
                            assertThat(closed.connection()).isEqualTo(1);
                            assertThat(closed.code()).isEqualTo(EdgeServer.GOING_AWAY_CLOSE_CODE);
                            assertThat(closed.reason()).isEqualTo(EdgeServer.GOING_AWAY_REASON);
                        });
                // Nothing silently lost: every frame written to edge A got exactly one answer from it before the close.
                for (ChatClient.Outbound o : sender.outbound().values()) {
                    long written = o.attempts.stream().filter(c -> c == 1).count();
                    List<JsonNode> answers = o.replies.stream().filter(r -> r.connection() == 1)
                            .map(ChatClient.Reply::frame).toList();
                    assertThat(answers).as("%s: answers on edge A to %s", sender, o).hasSize((int) written);
                    refusedWhileDraining += (int) answers.stream()
                            .filter(a -> a.path("code").asText().equals(ChatClient.SHUTTING_DOWN)).count();
                }
            }
            int ackedByA = senders.stream().mapToInt(ChatClient::ackedCount).sum();
            System.out.printf("GracefulShutdownIT: edge A acknowledged %d sends and answered %d with SHUTTING_DOWN%n",
                    ackedByA, refusedWhileDraining);

            // Every send edge A took is sequenced; wait until edge B delivered all of it (its watchers have it), so no
            // live frame of it can reach a reconnected session ahead of that session's RESUME replay.
            Map<String, Long> lastAcked = new HashMap<>();
            senders.forEach(sender -> sender.outbound().values().forEach(o -> o.replies.stream()
                    .map(ChatClient.Reply::frame).filter(f -> f.path("type").asText().equals("ACK"))
                    .forEach(ack -> lastAcked.merge(o.planned.roomId(), ack.path("seq").asLong(), Math::max))));
            await("edge B delivered everything edge A acknowledged").atMost(FRAME_WAIT)
                    .until(() -> lastAcked.entrySet().stream().allMatch(room -> watchers.stream()
                            .allMatch(w -> w.lastContiguousSeq(room.getKey()) >= room.getValue())));
            // Reconnect to B with a RESUME as the first frame, holding sends until every replay is in (as in EdgeCrashIT).
            senders.forEach(ChatClient::hold);
            for (ChatClient client : senders) {
                client.connectResuming(edgeB.port(), roster.roomsByUser().get(client.userId()));
            }
            await("every RESUME replayed up to what the watchers hold").atMost(FRAME_WAIT)
                    .until(() -> senders.stream().allMatch(c -> roster.roomsByUser().get(c.userId()).stream()
                            .allMatch(room -> c.lastContiguousSeq(room) == watchers.getFirst().lastContiguousSeq(room))));
            int resent = senders.stream().mapToInt(ChatClient::resendUnanswered).sum();
            senders.forEach(ChatClient::release);
            await("every send answered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> senders.stream().allMatch(ChatClient::finished));
            List<ChatClient> everyone = Stream.concat(senders.stream(), watchers.stream()).toList();
            roster.awaitDelivered(everyone, FRAME_WAIT);

            DeliveryLedger ledger = new DeliveryLedger(stack.readSentMessages(), Set.copyOf(rooms), everyone,
                    roster.roomsByUser());
            assertThat(ledger.size()).isEqualTo(SENDERS * MESSAGES_PER_SENDER);
            ledger.assertGaplessSequences();
            ledger.assertEverySendAckedOnceAndRecorded();
            int duplicates = ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of());
            assertThat(duplicates).as("MESSAGE copies received twice across the drain and the RESUME").isZero();
            System.out.printf("GracefulShutdownIT: %d messages, none lost or repeated; %d sends resent on edge B; "
                    + "total %d ms%n", ledger.size(), resent, millisSince(started));
        } finally {
            Stream.concat(senders.stream(), watchers.stream()).forEach(DeliveryStack::closeQuietly);
            // The other test needs a command path with no topology.
            DeliveryStack.closeQuietly(topologies);
        }
    }

    @Test
    void aDrainingEdgeRefusesUpgradesRestAndNewCommandsButAnswersWhatItTookBeforeClosingWith1001() throws Exception {
        // No topology runs in this test: the send taken before the drain waits for its verdict until it times out.
        Duration requestTimeout = Duration.ofSeconds(12);
        // The command must reach Kafka (its schema is registered on first use) and then wait for a verdict.
        stack.awaitRegistry();
        EdgeServer edge = stack.startEdge("edge-drain", Map.of(
                "NATTER_REQUEST_TIMEOUT_MS", Long.toString(requestTimeout.toMillis()),
                "NATTER_SHUTDOWN_DRAIN_MS", "30000"));
        int port = edge.port();
        ChatClient erin = new ChatClient("erin", stack.http(), stack.token("erin"));
        try {
            erin.connect(port);
            assertThat(erin.sendFrame(send("held"))).isTrue();
            assertThat(erin.sendFrame("{\"type\":\"PING\"}")).isTrue();
            await("the send was taken").atMost(FRAME_WAIT).until(() -> erin.frameCount() == 1);

            long drainStarted = System.nanoTime();
            // Its own thread, not the common pool: on 2 cores that has one thread, which the JDK's WebSocket client needs.
            CompletableFuture<Void> closing = new CompletableFuture<>();
            Thread.ofPlatform().name("edge-drain-close").start(() -> {
                try {
                    edge.close();
                    closing.complete(null);
                } catch (RuntimeException e) {
                    closing.completeExceptionally(e);
                }
            });
            await("readiness turns 503").atMost(FRAME_WAIT).until(() -> get(port, "/health/ready", null).statusCode() == 503);
            assertThat(json.readTree(get(port, "/health/ready", null).body()))
                    .isEqualTo(json.readTree("{\"status\":\"DOWN\"}"));
            assertThat(get(port, "/health/live", null).statusCode()).as("liveness while draining").isEqualTo(200);

            String refusal = "{\"code\":\"SHUTTING_DOWN\",\"message\":\"this edge is shutting down: reconnect to "
                    + "another edge and retry there\"}";
            Throwable upgrade = catchThrowable(() -> stack.http().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + stack.token("frank"))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() { })
                    .join());
            assertThat(upgrade).hasCauseInstanceOf(WebSocketHandshakeException.class);
            HttpResponse<?> upgradeResponse = ((WebSocketHandshakeException) upgrade.getCause()).getResponse();
            assertThat(upgradeResponse.statusCode()).isEqualTo(503);
            assertThat(json.readTree(upgradeResponse.body().toString())).isEqualTo(json.readTree(refusal));
            HttpResponse<String> rest = get(port, "/api/rooms", stack.token("frank"));
            assertThat(rest.statusCode()).isEqualTo(503);
            assertThat(rest.headers().firstValue("Connection")).hasValue("close");
            assertThat(json.readTree(rest.body())).isEqualTo(json.readTree(refusal));
            assertThat(edge.metrics().get(Admission.HANDSHAKES_REFUSED_COUNTER).tag("reason", "SHUTTING_DOWN")
                    .counter().count()).isEqualTo(1.0);

            // The open socket is still served: a new command is refused, a PING answered.
            assertThat(erin.sendFrame(send("late"))).isTrue();
            assertThat(erin.sendFrame("{\"type\":\"PING\"}")).isTrue();

            closing.get(40, TimeUnit.SECONDS);
            long drainMs = millisSince(drainStarted);
            await("the close frame").atMost(FRAME_WAIT).until(() -> !erin.closes().isEmpty());
            List<String> frames = erin.frames().stream().map(f -> f.frame().path("type").asText()
                    + (f.frame().has("code") ? " " + f.frame().get("code").asText() + " " + f.frame().get("ref").asText() : ""))
                    .toList();
            assertThat(frames).isEqualTo(List.of("PONG", "ERROR SHUTTING_DOWN late", "PONG", "ERROR TIMEOUT held"));
            assertThat(erin.closes()).singleElement().satisfies(closed -> {
                assertThat(closed.code()).isEqualTo(1001);
                assertThat(closed.reason()).isEqualTo("edge shutting down: reconnect and RESUME");
            });
            System.out.printf("GracefulShutdownIT: the drain waited %d ms for a verdict due within %d ms%n", drainMs,
                    requestTimeout.toMillis());
            assertThat(drainMs).as("close() waited for the taken send's answer, within the drain bound")
                    .isBetween(requestTimeout.toMillis() / 2, 30_000L);
        } finally {
            erin.close();
        }
    }

    private static String send(String clientMsgId) {
        return "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"drain-nowhere\",\"content\":\"hi\",\"clientMsgId\":\""
                + clientMsgId + "\"}";
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return stack.http().send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The edge's own log lines about its drain, for the test output. */
    private static List<String> drainLines(DeliveryStack.Service edge) {
        return edge.logTail(200).lines().filter(line -> line.contains("drain")).toList();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
