package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.AvroTrust;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoomCommandJudgeTest {
    private static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    @BeforeAll
    static void trustGeneratedClasses() {
        // Avro's equality resolves generated classes, which it refuses until they are trusted (Topics does this in the app).
        AvroTrust.install();
    }

    private final RoomCommandJudge judge = new RoomCommandJudge("eu", () -> "msg-1");

    @Test
    void createsRoomHomedInItsRegion() {
        Outcome outcome = judge.judge(command("alice",
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PRIVATE, List.of("bob"))), (RoomState) null, CREATED);

        assertThat(outcome).isEqualTo(new Outcome.Created(room(List.of("alice", "bob"), 0, null, 0)));
    }

    @Test
    void sequencesAfterTheLastSeqAndCountsTheMessage() {
        RoomState room = room(List.of("alice", "bob"), 41, CREATED, 41);

        Outcome outcome = judge.judge(command("bob", new SendMessageRequested("r1", "hello", "b-7", List.of())), room, NOW);

        assertThat(outcome).isEqualTo(new Outcome.Sent(room(List.of("alice", "bob"), 42, NOW, 42),
                new ChatMessage("msg-1", "r1", "bob", "hello", NOW, 42L, "b-7", List.of(), 0)));
    }

    @Test
    void answersARepeatWithTheOriginalBeforeCheckingMembership() {
        // bob sent to this public room, then left: his retry still gets the original's answer.
        RoomState room = RoomState.newBuilder(room(List.of("alice"), 5, NOW, 5))
                .setVisibility(RoomVisibility.PUBLIC).build();
        SendReceipt original = new SendReceipt("msg-0", 4L, CREATED, 0);

        Outcome outcome = judge.judge(command("bob", new SendMessageRequested("r1", "again", "b-7", List.of())),
                new RoomFacts(room, original, null), NOW);

        assertThat(outcome).isEqualTo(new Outcome.Duplicate(original));
    }

    @Test
    void stillHidesAPrivateRoomFromARepeatOfANonMember() {
        SendReceipt original = new SendReceipt("msg-0", 4L, CREATED, 0);

        Outcome outcome = judge.judge(command("mallory", new SendMessageRequested("r1", "again", "m-1", List.of())),
                new RoomFacts(room(List.of("alice"), 5, NOW, 5), original, null), NOW);

        assertThat(outcome).isEqualTo(new Outcome.Rejected(RejectionCode.ROOM_NOT_FOUND, "room r1 not found"));
    }

    @Test
    void resolvesAttachmentsFromTheFactsInTheOrderTheSendNamesThem() {
        RoomState room = room(List.of("alice", "bob"), 0, null, 0);
        AttachmentMetadata one = attachment("att-1", "r1", "one.png");
        AttachmentMetadata two = attachment("att-2", "r1", null);

        Outcome outcome = judge.judge(command("bob", new SendMessageRequested("r1", "", null, List.of("att-2", "att-1"))),
                new RoomFacts(room, null, null, Map.of("att-1", one, "att-2", two)), NOW);

        assertThat(outcome).isEqualTo(new Outcome.Sent(room(List.of("alice", "bob"), 1, NOW, 1),
                new ChatMessage("msg-1", "r1", "bob", "", NOW, 1L, null, List.of(
                        new AttachmentRef("att-2", null, "image/png", 10L),
                        new AttachmentRef("att-1", "one.png", "image/png", 10L)), 0)));
    }

    @Test
    void refusesAnAttachmentWhoseMetadataNamesAnotherRoomWhateverTheStoreReturned() {
        RoomState room = room(List.of("alice"), 0, null, 0);

        Outcome outcome = judge.judge(command("alice", new SendMessageRequested("r1", "x", null, List.of("att-9"))),
                new RoomFacts(room, null, null, Map.of("att-9", attachment("att-9", "r9", "nine.png"))), NOW);

        assertThat(outcome).isEqualTo(new Outcome.Rejected(RejectionCode.ATTACHMENT_NOT_FOUND,
                "attachment att-9 not found in room r1"));
    }

    @Test
    void leavingKeepsTheOtherMembersInOrder() {
        RoomState room = room(List.of("alice", "bob", "carol"), 3, CREATED, 3);

        Outcome outcome = judge.judge(command("bob", new LeaveRoomRequested("r1")), room, NOW);

        assertThat(outcome).isEqualTo(new Outcome.Left(room(List.of("alice", "carol"), 3, CREATED, 3), "bob"));
    }

    @Test
    void leavesTheGivenStateUntouched() {
        RoomState room = room(List.of("alice", "bob"), 0, null, 0);

        judge.judge(command("bob", new LeaveRoomRequested("r1")), room, NOW);

        assertThat(room).isEqualTo(room(List.of("alice", "bob"), 0, null, 0));
    }

    private static AttachmentMetadata attachment(String attachmentId, String roomId, String fileName) {
        return new AttachmentMetadata(attachmentId, roomId, "alice", roomId + "/" + attachmentId, fileName, "image/png",
                10L, null, CREATED);
    }

    private static RoomState room(List<String> members, long lastSeq, Instant lastActivity, long count) {
        return new RoomState("r1", "Lobby", RoomVisibility.PRIVATE, "alice", members, "eu", CREATED, lastSeq,
                lastActivity, count, 0, 1L);
    }

    private static RoomCommand command(String actor, Object payload) {
        return new RoomCommand("chat.message.requested.v1", "e1", NOW, "eu", 1, "c1", actor, new Origin("edge-1", null),
                payload);
    }
}
