package io.natter.edge;

import static io.natter.edge.TwoRegionStack.EU;
import static io.natter.edge.TwoRegionStack.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.schemas.avro.ChatMessage;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover and fail-back drills: us's broker stops mid-stream while senders on us write to two us-homed rooms
 * (one through a {@code local}-ack edge, one through a {@code replicated}-ack edge); us is declared down on eu;
 * the senders reconnect to eu and RESUME. Lost acknowledged messages are counted (zero with replicated acks), the
 * sequence continues under epoch 1 and EPOCH names exactly the lost sends; then us returns as a replica, the room
 * moves home again under epoch 2, and no seq was ever given to two messages within one epoch.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class FailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ACKED_BEFORE_OUTAGE = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static TwoRegionStack regions;
    private static EdgeServer usLocalEdge;
    private static EdgeServer usReplicatedEdge;
    private static EdgeServer euEdge;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegions() {
        regions = TwoRegionStack.start(dir, 3);
        usLocalEdge = regions.startEdge(US, "us-edge-local", "local");
        usReplicatedEdge = regions.startEdge(US, "us-edge-replicated", "replicated");
        euEdge = regions.startEdge(EU, "eu-edge-1", "local");
    }

    @AfterAll
    static void stopRegions() {
        if (regions != null) {
            regions.close();
        }
    }

    /** What a sender learnt from its ACKs: clientMsgId → ACK frame. */
    private record Acked(Map<String, JsonNode> acks, long lastSeq) {}

    @Test
    void failsOverToEuLosingNoReplicatedAckAndFailsBackWithoutReusingASeq() throws Exception {
        String localRoom = "fo-local";
        String replicatedRoom = "fo-replicated";
        createInUsAndAwaitInEu(localRoom, "dan", List.of("erin"));
        createInUsAndAwaitInEu(replicatedRoom, "fay", List.of("erin"));

        RegionClient erin = RegionClient.connect(http, euEdge, "erin", token("erin"));
        RegionClient dan = RegionClient.connect(http, usLocalEdge, "dan", token("dan"));
        RegionClient fay = RegionClient.connect(http, usReplicatedEdge, "fay", token("fay"));
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread danSends = stream(dan, localRoom, "d-", sending);
        Thread faySends = stream(fay, replicatedRoom, "f-", sending);
        await().atMost(WAIT).until(() -> dan.frames("ACK").size() >= ACKED_BEFORE_OUTAGE
                && fay.frames("ACK").size() >= ACKED_BEFORE_OUTAGE);

        // The us region fails mid-stream: its broker stops while both senders keep writing for a moment.
        long outageAt = System.nanoTime();
        regions.region(US).stopBroker();
        LockSupportPause.pause(Duration.ofMillis(300));
        sending.set(false);
        danSends.join();
        faySends.join();
        Acked danAcked = acked(dan, localRoom);
        Acked fayAcked = acked(fay, replicatedRoom);
        dan.close();
        fay.close();

        regions.declare(US, "down", EU);
        long declaredAt = System.nanoTime();

        // Reconnect to eu and RESUME from what each had, telling the epoch of that seq.
        RegionClient danEu = RegionClient.connect(http, euEdge, "dan", token("dan"));
        RegionClient fayEu = RegionClient.connect(http, euEdge, "fay", token("fay"));
        danEu.resume(localRoom, danAcked.lastSeq(), 0);
        fayEu.resume(replicatedRoom, fayAcked.lastSeq(), 0);
        // A new send makes eu take the room over (lazily, in the room's ordered path) under epoch 1.
        JsonNode danFirst = ackOf(danEu, localRoom, "d-after-0");
        JsonNode fayFirst = ackOf(fayEu, replicatedRoom, "f-after-0");
        System.out.printf("failover: first ACK in eu %d ms after the down declaration (%d ms after the outage)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - declaredAt),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageAt));
        assertThat(danFirst.get("epoch").asInt()).isEqualTo(1);
        assertThat(fayFirst.get("epoch").asInt()).isEqualTo(1);

        // What eu had of us's rooms when it took over: the mirror of us's sent topic.
        Set<String> onEu = regions.messages(EU, regions.topics(EU).messageSent().mirroredFrom(US)).stream()
                .map(ChatMessage::getMessageId).collect(Collectors.toSet());
        List<String> lostLocal = lost(danAcked, onEu);
        List<String> lostReplicated = lost(fayAcked, onEu);
        System.out.printf("failover: acknowledged before the outage: local %d, replicated %d; lost acknowledged: "
                + "local %d %s, replicated %d%n", danAcked.acks().size(), fayAcked.acks().size(), lostLocal.size(),
                lostLocal, lostReplicated.size());
        assertThat(lostReplicated).isEmpty();

        // EPOCH tells each client exactly which of its acknowledged sends to resend: epoch-0 seqs >= fromSeq.
        JsonNode danEpoch = epochFrame(danEu, localRoom);
        JsonNode fayEpoch = epochFrame(fayEu, replicatedRoom);
        assertThat(danEpoch.get("epoch").asInt()).isEqualTo(1);
        assertThat(toResend(danAcked, danEpoch.get("fromSeq").asLong())).isEqualTo(lostLocal);
        assertThat(toResend(fayAcked, fayEpoch.get("fromSeq").asLong())).isEqualTo(lostReplicated);
        assertThat(danFirst.get("seq").asLong()).isEqualTo(danEpoch.get("fromSeq").asLong());

        // Resending the lost ones with their clientMsgIds: sequenced again under epoch 1, right after the first.
        long nextSeq = danFirst.get("seq").asLong() + 1;
        for (String clientMsgId : lostLocal) {
            JsonNode again = ackOf(danEu, localRoom, clientMsgId);
            assertThat(again.get("epoch").asInt()).isEqualTo(1);
            assertThat(again.get("seq").asLong()).isEqualTo(nextSeq++);
        }
        // The eu member saw the epoch change live, then one order under epoch 1.
        await().atMost(WAIT).until(() -> !erin.frames("EPOCH").isEmpty());
        assertThat(erin.frames("EPOCH").stream().map(r -> r.frame().get("roomId").asText()).toList())
                .containsExactlyInAnyOrder(localRoom, replicatedRoom);

        // us's edges still run with its broker down: a us client's sends wait in the edge's outage buffer (erin:
        // dan used up his rate limit on this edge).
        RegionClient erinUs = RegionClient.connect(http, usLocalEdge, "erin", token("erin"));
        List<String> buffered = List.of("e-fenced-0", "e-fenced-1", "e-fenced-2");
        buffered.forEach(id -> erinUs.send(localRoom, "buffered " + id, id));

        // Fail-back: us returns before its topology can read eu's re-home (MirrorMaker is held back: the window in
        // which, before the fence, us sequenced and ACKed the replayed writes under the old epoch). eu declared it
        // down, so us is fenced: the buffered sends are refused, never ACKed.
        regions.stopMirrorMaker(Duration.ofSeconds(2));
        long returnedAt = System.nanoTime();
        Instant returnedAtWall = Instant.now();
        regions.region(US).restartBroker();
        for (String clientMsgId : buffered) {
            JsonNode answer = erinUs.answer(clientMsgId, WAIT);
            assertThat(answer.get("type").asText()).as(answer.toString()).isEqualTo("ERROR");
            assertThat(answer.get("code").asText()).as(answer.toString()).isEqualTo("REGION_FENCED");
            assertThat(answer.get("message").asText()).contains("reconnect to eu");
        }
        System.out.printf("fail-back: buffered sends answered REGION_FENCED %d ms after us's broker restarted%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returnedAt));
        regions.startMirrorMaker();
        // Resent where the message says, each is sequenced once under epoch 1 (eu may already have judged the
        // mirrored command: then the resend gets that original).
        for (String clientMsgId : buffered) {
            assertThat(ackOf(erin, localRoom, clientMsgId).get("epoch").asInt()).isEqualTo(1);
        }
        EdgeRest usRest = new EdgeRest(http, usLocalEdge::port, regions.region(US).tokens());
        await().atMost(Duration.ofMinutes(3)).until(() -> homeRegion(usRest, localRoom, "dan").equals(EU));
        regions.declare(US, "up", EU);
        // us judges again once its replica has applied everything eu wrote before the UP.
        await().atMost(WAIT).until(() -> fenceOf(US).equals("OPEN"));
        HttpResponse<String> rehome = regions.operator(EU, "/internal/rooms/" + localRoom + "/rehome",
                "{\"toRegion\":\"us\"}");
        assertThat(rehome.statusCode()).as(rehome.body()).isBetween(200, 299);
        await().atMost(WAIT).until(() -> homeRegion(usRest, localRoom, "dan").equals(US));
        try (RegionClient danBack = RegionClient.connect(http, usLocalEdge, "dan", token("dan"))) {
            JsonNode back = ackOf(danBack, localRoom, "d-back-0");
            assertThat(back.get("epoch").asInt()).isEqualTo(2);
        }

        // No seq was given to two different messages within one epoch, in any copy on either cluster.
        List<ChatMessage> everywhere = new ArrayList<>();
        for (String region : List.of(US, EU)) {
            everywhere.addAll(regions.messages(region, regions.topics(region).messageSent()));
            everywhere.addAll(regions.messages(region,
                    regions.topics(region).messageSent().mirroredFrom(TwoRegionStack.peerOf(region))));
        }
        Map<String, Set<String>> idsBySeq = new HashMap<>();
        for (ChatMessage message : everywhere) {
            idsBySeq.computeIfAbsent(message.getRoomId() + "/" + message.getEpoch() + "/" + message.getSeq(),
                    key -> new HashSet<>()).add(message.getMessageId());
        }
        assertThat(idsBySeq.entrySet().stream().filter(e -> e.getValue().size() > 1).toList()).isEmpty();
        // After its return us sequenced nothing under the old epoch (before the fence: 113 such messages in one
        // run); the writes its edges had buffered were refused instead.
        List<ChatMessage> usOwn = regions.messages(US, regions.topics(US).messageSent());
        assertThat(usOwn.stream().filter(m -> m.getEpoch() == 0 && m.getSentAt().isAfter(returnedAtWall)).toList())
                .isEmpty();
        long refused = regions.region(US).records(regions.topics(US).messageRejected()).stream()
                .filter(r -> r.value().getPayload().getCode().equals("REGION_FENCED")).count();
        System.out.printf("fail-back: %d buffered writes refused REGION_FENCED in us, 0 sequenced under epoch 0%n",
                refused);
        // The fenced sends were never sequenced by us (epoch 0) and never ACKed.
        assertThat(regions.messages(US, regions.topics(US).messageSent()).stream()
                .filter(m -> buffered.contains(m.getClientMsgId())).map(ChatMessage::getEpoch).toList())
                .doesNotContain(0);
        assertThat(erinUs.frames("ACK")).extracting(r -> r.frame().get("epoch").asInt()).doesNotContain(0);
        erinUs.close();
        // Under epoch 1 the local room's seqs run on from fromSeq without a gap.
        TreeSet<Long> epochOne = everywhere.stream()
                .filter(m -> m.getRoomId().equals(localRoom) && m.getEpoch() == 1).map(ChatMessage::getSeq)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(epochOne.first()).isEqualTo(danEpoch.get("fromSeq").asLong());
        assertThat(epochOne.last() - epochOne.first() + 1).isEqualTo(epochOne.size());
        Stream.of(erin, danEu, fayEu).forEach(RegionClient::close);
    }

    /** Sends every 10 ms until {@code sending} turns false. */
    private static Thread stream(RegionClient client, String room, String prefix, AtomicBoolean sending) {
        return Thread.ofPlatform().name("sender-" + prefix).start(() -> {
            for (int i = 0; sending.get(); i++) {
                client.send(room, "message " + prefix + i, prefix + i);
                LockSupportPause.pause(Duration.ofMillis(10));
            }
        });
    }

    private static Acked acked(RegionClient client, String room) {
        Map<String, JsonNode> acks = new LinkedHashMap<>();
        for (RegionClient.Received ack : client.frames("ACK")) {
            acks.put(ack.frame().get("clientMsgId").asText(), ack.frame());
        }
        long lastSeq = client.messages(room).stream().mapToLong(r -> r.frame().get("seq").asLong()).max().orElse(0);
        return new Acked(acks, lastSeq);
    }

    private static List<String> lost(Acked acked, Set<String> onEu) {
        return acked.acks().entrySet().stream().filter(e -> !onEu.contains(e.getValue().get("messageId").asText()))
                .map(Map.Entry::getKey).toList();
    }

    private static List<String> toResend(Acked acked, long fromSeq) {
        return acked.acks().entrySet().stream()
                .filter(e -> e.getValue().get("epoch").asInt() < 1 && e.getValue().get("seq").asLong() >= fromSeq)
                .map(Map.Entry::getKey).toList();
    }

    private static JsonNode ackOf(RegionClient client, String room, String clientMsgId) {
        client.send(room, "after " + clientMsgId, clientMsgId);
        JsonNode answer = client.answer(clientMsgId, WAIT);
        assertThat(answer.get("type").asText()).as(answer.toString()).isEqualTo("ACK");
        return answer;
    }

    private static JsonNode epochFrame(RegionClient client, String room) {
        await().atMost(WAIT).until(() -> client.frames("EPOCH").stream()
                .anyMatch(r -> r.frame().get("roomId").asText().equals(room)));
        List<RegionClient.Received> epochs = client.frames("EPOCH");
        assertThat(epochs).as("one EPOCH per room change").hasSize(1);
        return epochs.getFirst().frame();
    }

    /** The {@code fence} of {@code region} itself in its topology's {@code GET /internal/regions}. */
    private String fenceOf(String region) throws Exception {
        HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + regions.region(region).topologies().queryPort() + "/internal/regions")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode view : JSON.readTree(response.body())) {
            if (view.path("local").asBoolean()) {
                return view.path("fence").asText();
            }
        }
        return "";
    }

    private String homeRegion(EdgeRest rest, String room, String user) throws Exception {
        HttpResponse<String> response = rest.get("/api/rooms/" + room, user);
        return response.statusCode() == 200 ? JSON.readTree(response.body()).path("homeRegion").asText() : "";
    }

    private void createInUsAndAwaitInEu(String room, String owner, List<String> members) throws Exception {
        new EdgeRest(http, usLocalEdge::port, regions.region(US).tokens()).createRoom(owner, room, "private", members);
        EdgeRest euRest = new EdgeRest(http, euEdge::port, regions.region(EU).tokens());
        await().atMost(WAIT).until(() -> euRest.get("/api/rooms/" + room, owner).statusCode() == 200);
    }

    private String token(String user) {
        return regions.region(US).tokens().sign(user, Duration.ofHours(1));
    }

    /** Pacing of a load generator, not a wait for a condition. */
    private static final class LockSupportPause {
        static void pause(Duration duration) {
            java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
        }
    }
}
