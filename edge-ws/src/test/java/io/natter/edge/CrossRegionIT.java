package io.natter.edge;

import static io.natter.edge.TwoRegionStack.EU;
import static io.natter.edge.TwoRegionStack.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.natter.mirrormaker.client.RemoteTopics;
import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.ChatMessage;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two regions with MirrorMaker between them; a room homed in us, one member on each region's edge. Both see one
 * order, each message once, and the cross-region latency is measured both ways; the replicated ack level holds the
 * ACK until the message is on the peer cluster.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossRegionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int WARM_UP = 10;
    private static final int PER_SIDE = 60;
    private static final Duration NOT_REPLICATED_AFTER = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    private static TwoRegionStack regions;
    private static EdgeServer usEdge;
    private static EdgeServer euEdge;
    private static EdgeServer usReplicatedEdge;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegions() {
        regions = TwoRegionStack.start(dir, 3);
        usEdge = regions.startEdge(US, "us-edge-1", "local");
        euEdge = regions.startEdge(EU, "eu-edge-1", "local");
        usReplicatedEdge = regions.startEdge(US, "us-edge-replicated", "replicated");
    }

    @AfterAll
    static void stopRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    @Test
    void membersInBothRegionsSeeOneOrderExactlyOnceAndLatencyIsMeasuredBothWays() throws Exception {
        String room = "cross-order";
        createInUsAndAwaitInEu(room, "alice", List.of("bob"));
        try (RegionClient alice = RegionClient.connect(http, usEdge, "alice", token("alice"));
                RegionClient bob = RegionClient.connect(http, euEdge, "bob", token("bob"))) {
            int total = 2 * (WARM_UP + PER_SIDE);
            for (int i = 0; i < WARM_UP + PER_SIDE; i++) {
                // 25 messages per second per side, alternating: steady traffic, not a burst measuring queueing.
                alice.send(room, "from us " + i, "a-" + i);
                pause(Duration.ofMillis(20));
                bob.send(room, "from eu " + i, "b-" + i);
                pause(Duration.ofMillis(20));
            }
            alice.awaitMessages(room, total, WAIT);
            bob.awaitMessages(room, total, WAIT);

            List<String> aliceOrder = order(alice.messages(room));
            List<String> bobOrder = order(bob.messages(room));
            assertThat(aliceOrder).hasSize(total).doesNotHaveDuplicates().isEqualTo(bobOrder);
            assertThat(alice.messages(room).stream().map(r -> r.frame().get("seq").asLong()).toList())
                    .isEqualTo(seqs(1, total));
            for (int i = 0; i < WARM_UP + PER_SIDE; i++) {
                assertThat(alice.answer("a-" + i, WAIT).get("type").asText()).isEqualTo("ACK");
                assertThat(bob.answer("b-" + i, WAIT).get("type").asText()).isEqualTo("ACK");
            }
            // Each sender got exactly one answer per send, and nothing else was emitted to either client.
            assertThat(alice.frames("ACK")).hasSize(WARM_UP + PER_SIDE);
            assertThat(bob.frames("ACK")).hasSize(WARM_UP + PER_SIDE);
            assertThat(alice.frames("ERROR")).isEmpty();
            assertThat(bob.frames("ERROR")).isEmpty();
            assertThat(alice.frames("EPOCH")).isEmpty();

            List<Long> usToEu = latencies(alice, bob, room, "a-");
            List<Long> euToUs = latencies(bob, alice, room, "b-");
            List<Long> euAck = new ArrayList<>();
            for (RegionClient.Received ack : bob.frames("ACK")) {
                String id = ack.frame().get("clientMsgId").asText();
                if (Integer.parseInt(id.substring(2)) >= WARM_UP) {
                    euAck.add(TimeUnit.NANOSECONDS.toMicros(ack.atNanos() - bob.sentAt(id)));
                }
            }
            System.out.println(report("cross-region delivery us -> eu (sent in us, MESSAGE in eu)", usToEu));
            System.out.println(report("cross-region delivery eu -> us (sent in eu, MESSAGE in us)", euToUs));
            System.out.println(report("ACK of a send from eu to a us-homed room (eu -> us -> eu)", euAck));
            // Every copy arrived in one order (asserted above and in latencies()); how fast is a speed target,
            // measured where the load is controlled: the seed's "visible in the other region within 2 s" is
            // ./bench/exit-criteria's cross-region check (bench/RESULTS.md), not a timed assertion here.
        }
    }

    @Test
    void replicatedAckLevelAcksOnlyWhatIsAlreadyOnThePeerCluster() throws Exception {
        String room = "cross-replicated";
        createInUsAndAwaitInEu(room, "carol", List.of());
        List<Long> local = new ArrayList<>();
        List<Long> replicated = new ArrayList<>();
        try (RegionClient localSender = RegionClient.connect(http, usEdge, "carol", token("carol"));
                RegionClient replicatedSender = RegionClient.connect(http, usReplicatedEdge, "carol", token("carol"))) {
            for (int i = 0; i < 40; i++) {
                String localId = "l-" + i;
                localSender.send(room, "local " + i, localId);
                JsonNode localAck = localSender.answer(localId, WAIT);
                assertThat(localAck.get("type").asText()).as(localAck.toString()).isEqualTo("ACK");
                local.add(localSender.answerMicros(localId, WAIT));

                String replicatedId = "r-" + i;
                replicatedSender.send(room, "replicated " + i, replicatedId);
                JsonNode ack = replicatedSender.answer(replicatedId, WAIT);
                replicated.add(replicatedSender.answerMicros(replicatedId, WAIT));
                assertThat(ack.get("type").asText()).as(ack.toString()).isEqualTo("ACK");
                assertThat(ack.get("epoch").asInt()).isZero();
                // Read at the moment of the ACK: the message is already in eu's mirror of us's sent topic.
                List<String> onEu = regions.messages(EU, regions.topics(EU).messageSent().mirroredFrom(US)).stream()
                        .map(ChatMessage::getMessageId).toList();
                assertThat(onEu).as("message of ACK %s on eu", ack).contains(ack.get("messageId").asText());
            }
        }
        System.out.println(report("ACK latency, ack level local (us edge, us-homed room)", local.subList(5, 40)));
        System.out.println(report("ACK latency, ack level replicated (same, plus the copy on eu)",
                replicated.subList(5, 40)));
        assertThat(RemoteTopics.of(US, TopicNames.MESSAGE_SENT)).isEqualTo("us.chat.message.sent.v1");
    }

    /**
     * Runs last (it stops and restarts MirrorMaker): with replication down, a {@code replicated} send is sequenced
     * at home but answered {@code ERROR NOT_REPLICATED} once the request timeout ran out; after MirrorMaker is back
     * and has copied it, the resend with the same clientMsgId is the DUPLICATE of it, ACKed with the same id and seq.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void replicatedAckLevelAnswersNotReplicatedWhileMirrorMakerIsDownAndAcksTheResendOnceItIsBack() throws Exception {
        String room = "cross-not-replicated";
        createInUsAndAwaitInEu(room, "dora", List.of());
        EdgeServer shortTimeoutEdge = regions.startEdge(US, "us-edge-replicated-3s", "replicated",
                Map.of("NATTER_REQUEST_TIMEOUT_MS", String.valueOf(NOT_REPLICATED_AFTER.toMillis())));
        try (RegionClient dora = RegionClient.connect(http, shortTimeoutEdge, "dora", token("dora"))) {
            regions.stopMirrorMaker();
            long sent = System.nanoTime();
            dora.send(room, "while replication is down", "nr-1");
            JsonNode refused = dora.answer("nr-1", WAIT);
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(refused.get("type").asText()).as(refused.toString()).isEqualTo("ERROR");
            assertThat(refused.get("code").asText()).isEqualTo("NOT_REPLICATED");
            assertThat(refused.get("ref").asText()).isEqualTo("nr-1");
            // The timeout runs from the home's verdict, so the answer comes after it and not much later.
            assertThat(answeredMs).isBetween(NOT_REPLICATED_AFTER.toMillis(), NOT_REPLICATED_AFTER.toMillis() + 5_000);
            // It WAS sequenced at home: once, and the refusal names it.
            List<ChatMessage> atHome = regions.messages(US, regions.topics(US).messageSent()).stream()
                    .filter(m -> m.getRoomId().equals(room)).toList();
            assertThat(atHome).extracting(ChatMessage::getClientMsgId, ChatMessage::getSeq, ChatMessage::getEpoch)
                    .containsExactly(tuple("nr-1", 1L, 0));
            ChatMessage original = atHome.getFirst();
            assertThat(refused.get("message").asText()).contains(original.getMessageId(), "seq 1", "epoch 0");
            System.out.printf("NOT_REPLICATED answered %d ms after the send (request timeout %d ms)%n", answeredMs,
                    NOT_REPLICATED_AFTER.toMillis());

            regions.startMirrorMaker();
            await().atMost(WAIT).until(() -> regions.messages(EU, regions.topics(EU).messageSent().mirroredFrom(US))
                    .stream().anyMatch(m -> m.getMessageId().equals(original.getMessageId())));
            dora.send(room, "while replication is down", "nr-1");
            JsonNode acked = await().atMost(WAIT).until(() -> dora.frames("ACK").stream()
                    .map(RegionClient.Received::frame).filter(f -> f.get("clientMsgId").asText().equals("nr-1"))
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            assertThat(acked.get("messageId").asText()).isEqualTo(original.getMessageId());
            assertThat(acked.get("seq").asLong()).isEqualTo(1L);
            assertThat(acked.get("epoch").asInt()).isZero();
            // Still one message at home: the resend was the duplicate, not a second copy.
            assertThat(regions.messages(US, regions.topics(US).messageSent()).stream()
                    .filter(m -> m.getRoomId().equals(room)).toList()).hasSize(1);
        }
    }

    /** Creates {@code room} through us's edge and waits until eu's edge serves it to a member (the replica exists). */
    private void createInUsAndAwaitInEu(String room, String owner, List<String> members) throws Exception {
        EdgeRest usRest = new EdgeRest(http, usEdge::port, regions.region(US).tokens());
        usRest.createRoom(owner, room, "private", members);
        EdgeRest euRest = new EdgeRest(http, euEdge::port, regions.region(EU).tokens());
        await().atMost(WAIT).until(() -> euRest.get("/api/rooms/" + room, owner).statusCode() == 200);
        JsonNode view = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(euRest.get("/api/rooms/" + room, owner).body());
        assertThat(view.get("homeRegion").asText()).isEqualTo(US);
    }

    private String token(String user) {
        return regions.region(US).tokens().sign(user, Duration.ofHours(1));
    }

    /** Arrival at {@code receiver} minus send at {@code sender}, in µs, for the sender's measured (post-warm-up) sends. */
    private static List<Long> latencies(RegionClient sender, RegionClient receiver, String room, String prefix) {
        List<Long> micros = new ArrayList<>();
        for (RegionClient.Received message : receiver.messages(room)) {
            String content = message.frame().get("content").asText();
            int i = Integer.parseInt(content.substring(content.lastIndexOf(' ') + 1));
            String id = prefix + i;
            if (content.startsWith(prefix.equals("a-") ? "from us" : "from eu") && i >= WARM_UP) {
                micros.add(TimeUnit.NANOSECONDS.toMicros(message.atNanos() - sender.sentAt(id)));
            }
        }
        assertThat(micros).hasSize(PER_SIDE);
        return micros;
    }

    private static List<String> order(List<RegionClient.Received> messages) {
        return messages.stream().map(r -> r.frame().get("seq").asLong() + ":" + r.frame().get("messageId").asText()
                + ":" + r.frame().get("content").asText()).toList();
    }

    private static List<Long> seqs(long from, long to) {
        List<Long> seqs = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static String report(String what, List<Long> micros) {
        return String.format(Locale.ROOT, "%s: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms", what, micros.size(),
                percentile(micros, 50) / 1000.0, percentile(micros, 99) / 1000.0,
                Collections.max(micros) / 1000.0);
    }

    private static void pause(Duration duration) {
        // Pacing of the load, not waiting for a condition.
        java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
    }
}
