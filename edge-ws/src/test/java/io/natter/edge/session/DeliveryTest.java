package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.EdgeJson;
import io.natter.edge.error.CommandRejectedException;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.query.RoomQueryClient;
import io.natter.edge.rooms.PendingRequests;
import io.natter.edge.rooms.RoomQueries;
import io.natter.edge.rooms.Verdict;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryTest {
    private static final String NODE = "edge-here";
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String MESSAGE_JSON = "{\"type\":\"MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m1\","
            + "\"senderId\":\"alice\",\"content\":\"hi\",\"ts\":\"2026-03-01T10:00:00Z\",\"seq\":4,\"epoch\":0,\"attachments\":[]}";

    private final SessionRegistry sessions = new SessionRegistry();
    private final PendingRequests pending = new PendingRequests(Duration.ofSeconds(30));

    @AfterEach
    void stopSweeper() {
        pending.close();
    }
    // No history read happens on these paths: the query API address is never used.
    private final Catchup catchup = new Catchup(new RoomQueries(new RoomQueryClient(
            List.of(URI.create("http://127.0.0.1:9")), Duration.ofSeconds(1), EdgeJson.newMapper())),
            new FrameCodec(EdgeJson.newMapper(), 4096), Runnable::run);
    private final Delivery delivery = new Delivery(NODE, sessions, pending, catchup);
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
    void deliversTheMessageToEverySessionOfEachRecipientAndResolvesThePendingSend() {
        CompletableFuture<Verdict> send = pending.register("cmd1");
        int handed = delivery.onFanout(fanout(List.of("alice", "bob", "bob", "dave"), new Origin(NODE, "a1"), message()));

        assertThat(handed).as("alice's two sessions and bob's one; bob once though listed twice").isEqualTo(3);
        assertThat(sent).isEqualTo(Map.of("a1", List.of(MESSAGE_JSON), "a2", List.of(MESSAGE_JSON),
                "b1", List.of(MESSAGE_JSON), "c1", List.of()));
        assertThat(send).isCompletedWithValue(new Verdict.Sequenced("m1", 4));
    }

    @Test
    void encodesEachMessageOnceForAllItsRecipientsAndTheNextMessageAfresh() {
        delivery.onFanout(fanout(List.of("alice", "bob"), null, message()));
        delivery.onFanout(fanout(List.of("alice", "bob"), null,
                new ChatMessage("m2", "r1", "bob", "second", AT, 5L, "cm2", List.of(), 0)));

        String second = MESSAGE_JSON.replace("\"m1\"", "\"m2\"").replace("\"senderId\":\"alice\"", "\"senderId\":\"bob\"")
                .replace("\"hi\"", "\"second\"").replace("\"seq\":4", "\"seq\":5");
        assertThat(sent).isEqualTo(Map.of("a1", List.of(MESSAGE_JSON, second), "a2", List.of(MESSAGE_JSON, second),
                "b1", List.of(MESSAGE_JSON, second), "c1", List.of()));
        // One encode per message: every recipient's copy is the same String object.
        assertThat(sent.get("a2").get(0)).isSameAs(sent.get("b1").get(0));
        assertThat(sent.get("a1").get(1)).isSameAs(sent.get("b1").get(1));
    }

    @Test
    void liveCopiesWaitInTheSocketsBatchAndEachSessionIsFlushedOnceWhateverItsFrames() {
        List<String> events = new ArrayList<>();
        FrameSink batching = new FrameSink() {
            @Override
            public void sendText(String text) {
                events.add("now " + text);
            }

            @Override
            public void send(EncodedFrame frame, Runnable written, boolean batched) {
                int seq = frame.text().indexOf("\"seq\"");
                events.add((batched ? "batched " : "now ") + (seq < 0 ? frame.text() : frame.text().substring(seq)));
                written.run();
            }

            @Override
            public void flush() {
                events.add("flush");
            }
        };
        sessions.add(new ClientSession("d1", "dave", batching));

        delivery.onFanout(fanout(List.of("dave"), null, message()));
        delivery.onFanout(fanout(List.of("dave"), null,
                new ChatMessage("m2", "r1", "bob", "second", AT, 5L, "cm2", List.of(), 0)));
        assertThat(events).hasSize(2).allMatch(event -> event.startsWith("batched \"seq\":"));

        delivery.flush();
        delivery.flush();
        assertThat(events).containsExactly("batched \"seq\":4,\"epoch\":0,\"attachments\":[]}",
                "batched \"seq\":5,\"epoch\":0,\"attachments\":[]}", "flush");
        // Frames sent outside the fan-out (replies, replays) are not batched.
        sessions.session("d1").orElseThrow().send("{\"type\":\"PONG\"}");
        assertThat(events).last().isEqualTo("now {\"type\":\"PONG\"}");
    }

    @Test
    void aFanoutOfAnotherNodesCommandResolvesNothingHere() {
        CompletableFuture<Verdict> send = pending.register("cmd1");
        delivery.onFanout(fanout(List.of("alice"), new Origin("edge-elsewhere", "a1"), message()));

        assertThat(sent).isEqualTo(Map.of("a1", List.of(MESSAGE_JSON), "a2", List.of(MESSAGE_JSON),
                "b1", List.of(), "c1", List.of()));
        assertThat(send).isNotDone();
    }

    @Test
    void editsAndDeletionsReachTheRecipientsAndResolveTheirCommands() {
        CompletableFuture<Verdict> edit = pending.register("cmd1");
        delivery.onFanout(fanout(List.of("bob"), new Origin(NODE, "b1"),
                new MessageEdit("m1", "r1", 4L, "bob", "fixed", AT, 0)));
        delivery.onFanout(new Fanout("r1", List.of("bob"), "cmd2", null, new MessageDeletion("m1", "r1", 4L, "olga", AT, 0)));

        assertThat(sent.get("b1")).containsExactly(
                "{\"type\":\"MESSAGE_EDITED\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"seq\":4,\"content\":\"fixed\","
                        + "\"editorId\":\"bob\",\"editedAt\":\"2026-03-01T10:00:00Z\"}",
                "{\"type\":\"MESSAGE_DELETED\",\"roomId\":\"r1\",\"messageId\":\"m1\",\"seq\":4,\"deletedBy\":\"olga\","
                        + "\"deletedAt\":\"2026-03-01T10:00:00Z\"}");
        assertThat(edit).isCompletedWithValue(new Verdict.Done());
    }

    @Test
    void aDuplicateRejectionResolvesTheSendAsTheOriginalMessage() {
        CompletableFuture<Verdict> send = pending.register("cmd1");
        delivery.onRejection(rejection("cmd1", "DUPLICATE", new Origin(NODE, "c1"), "m0", 2L));

        assertThat(send).isCompletedWithValue(new Verdict.Sequenced("m0", 2, 0, true));
        assertThat(sent.values()).allMatch(List::isEmpty);
    }

    @Test
    void aRejectionFailsItsPendingRequestAndOneFromAnotherNodeIsIgnored() {
        CompletableFuture<Verdict> mine = pending.register("cmd1");
        CompletableFuture<Verdict> same = pending.register("cmd2");
        delivery.onRejection(rejection("cmd1", "ROOM_NOT_FOUND", new Origin(NODE, "c1"), null, null));
        delivery.onRejection(rejection("cmd2", "ROOM_NOT_FOUND", new Origin("edge-elsewhere", "c1"), null, null));

        assertThat(mine).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(CommandRejectedException.class);
        assertThat(same).isNotDone();
        assertThat(sent.values()).allMatch(List::isEmpty);
    }

    @Test
    void aMembershipEventCompletesItsPendingRequest() {
        CompletableFuture<Verdict> verdict = pending.register("cmd1");
        delivery.onMembership(new RoomMembershipEvent("chat.room.member.joined.v1", "e1", AT, "us", 1,
                "cmd1", new MemberJoined("r1", "carol", "carol")));
        delivery.onMembership(new RoomMembershipEvent("chat.room.member.joined.v1", "e2", AT, "us", 1,
                null, new MemberJoined("r1", "dave", "dave")));

        assertThat(verdict).isCompletedWithValue(new Verdict.Done());
        assertThat(sent.values()).allMatch(List::isEmpty);
    }

    private void open(String sessionId, String user) {
        sessions.add(new ClientSession(sessionId, user, text -> sent.get(sessionId).add(text)));
    }

    private static ChatMessage message() {
        return new ChatMessage("m1", "r1", "alice", "hi", AT, 4L, "cm1", List.of(), 0);
    }

    private static Fanout fanout(List<String> recipients, Origin origin, Object event) {
        return new Fanout("r1", recipients, "cmd1", origin, event);
    }

    private static Rejection rejection(String commandId, String code, Origin origin, String messageId, Long seq) {
        return new Rejection(commandId, "carol", "r1", code, "refused", "cm9", origin, messageId, seq, 0);
    }
}
