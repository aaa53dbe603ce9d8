package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.EdgeJson;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.rooms.PendingRequests;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DeliveryTest {
    private static final String NODE = "edge-here";
    private static final String MESSAGE_JSON = "{\"type\":\"MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\","
            + "\"senderId\":\"alice\",\"content\":\"hi\",\"ts\":\"2026-03-01T10:00:00Z\",\"seq\":4,\"attachments\":[]}";

    private final SessionRegistry sessions = new SessionRegistry();
    private final PendingRequests pending = new PendingRequests(Duration.ofSeconds(30));
    private final Delivery delivery = new Delivery(NODE, sessions, pending, new FrameCodec(EdgeJson.newMapper(), 4096));
    private final Map<String, List<String>> sent = Map.of(
            "a1", new CopyOnWriteArrayList<>(), "a2", new CopyOnWriteArrayList<>(),
            "b1", new CopyOnWriteArrayList<>(), "c1", new CopyOnWriteArrayList<>());

    DeliveryTest() {
        open("a1", "alice");
        open("a2", "alice");
        open("b1", "bob");
        open("c1", "carol");
    }

    @Test
    void deliversTheMessageToEverySessionOfEachRecipientAndAcksTheOriginSession() {
        delivery.onFanout(fanout(List.of("alice", "bob", "bob", "dave"), new Origin(NODE, "a1")));

        assertThat(sent).isEqualTo(Map.of(
                "a1", List.of(MESSAGE_JSON, "{\"type\":\"ACK\",\"clientMsgId\":\"cm1\",\"messageId\":\"m1\",\"seq\":4}"),
                "a2", List.of(MESSAGE_JSON),
                "b1", List.of(MESSAGE_JSON),
                "c1", List.of()));
    }

    @Test
    void sendsNoAckForCommandsFromAnotherNode() {
        delivery.onFanout(fanout(List.of("alice"), new Origin("edge-elsewhere", "a1")));

        assertThat(sent).isEqualTo(Map.of("a1", List.of(MESSAGE_JSON), "a2", List.of(MESSAGE_JSON),
                "b1", List.of(), "c1", List.of()));
    }

    @Test
    void tellsTheOriginSessionAboutARejectedSend() {
        delivery.onRejection(rejection("cmd1", "NOT_A_MEMBER", new Origin(NODE, "c1")));
        delivery.onRejection(rejection("cmd2", "NOT_A_MEMBER", new Origin("edge-elsewhere", "c1")));

        assertThat(sent).isEqualTo(Map.of("a1", List.of(), "a2", List.of(), "b1", List.of(), "c1", List.of(
                "{\"type\":\"ERROR\",\"code\":\"NOT_A_MEMBER\",\"message\":\"carol is not a member of r1\",\"ref\":\"cm9\"}")));
    }

    @Test
    void aRejectionOfAPendingRequestFailsItInsteadOfSendingAnError() {
        CompletableFuture<Void> verdict = pending.register("cmd1");
        delivery.onRejection(rejection("cmd1", "ROOM_NOT_FOUND", new Origin(NODE, "c1")));

        assertThat(verdict).isCompletedExceptionally();
        assertThat(sent.values()).allMatch(List::isEmpty);
    }

    @Test
    void aMembershipEventCompletesItsPendingRequest() {
        CompletableFuture<Void> verdict = pending.register("cmd1");
        delivery.onMembership(new RoomMembershipEvent("chat.room.member.joined.v1", "e1", Instant.EPOCH, "us", 1,
                "cmd1", new MemberJoined("r1", "carol", "carol")));
        delivery.onMembership(new RoomMembershipEvent("chat.room.member.joined.v1", "e2", Instant.EPOCH, "us", 1,
                null, new MemberJoined("r1", "dave", "dave")));

        assertThat(verdict).isCompleted();
        assertThat(verdict.isCompletedExceptionally()).isFalse();
        assertThat(sent.values()).allMatch(List::isEmpty);
    }

    private void open(String sessionId, String user) {
        sessions.add(new ClientSession(sessionId, user, text -> sent.get(sessionId).add(text)));
    }

    private static Fanout fanout(List<String> recipients, Origin origin) {
        ChatMessage message = new ChatMessage("m1", "r1", "alice", "hi", Instant.parse("2026-03-01T10:00:00Z"), 4L,
                "cm1", List.of());
        return new Fanout("r1", recipients, "cmd1", origin, message);
    }

    private static Rejection rejection(String commandId, String code, Origin origin) {
        return new Rejection(commandId, "carol", "r1", code, "carol is not a member of r1", "cm9", origin, null, null);
    }
}
