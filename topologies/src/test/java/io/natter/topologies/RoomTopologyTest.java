package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.natter.schemas.Envelopes;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.AttachmentUploaded;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoomTopologyTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String REGION = "us";
    private static final Origin ORIGIN = new Origin("edge-1", "session-1");
    /** Stands in for generated ids in whole-record comparisons; their uniqueness is asserted after each test. */
    private static final String ID = "*";
    /** Small bounds so the tests reach them: 1 h dedupe window, 5 messages, 2 h of history. */
    private static final Retention RETENTION = new Retention(Duration.ofHours(1), 5, Duration.ofHours(2));

    @TempDir
    Path stateDir;

    private final TestClock clock = new TestClock(NOW);
    private final AtomicLong idCounter = new AtomicLong();
    private final Set<String> eventIds = new HashSet<>();
    private Topics topics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> commands;
    private TopologyOutputs outputs;

    @BeforeEach
    void startDriver() {
        topics = new Topics(new InMemorySchemaRegistry(), true);
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, REGION, RETENTION, clock, () -> "id-" + idCounter.incrementAndGet());
        startDriver(builder);
    }

    private void startDriver(StreamsBuilder builder) {
        if (driver != null) {
            driver.close();
        }
        // The production Streams configuration, so the chosen exception handlers are the ones under test.
        Properties props = new Properties();
        props.putAll(TopologiesConfig.fromEnv(Map.of(TopologiesConfig.STATE_DIR.name(), stateDir.toString()))
                .streamsConfig());
        driver = new TopologyTestDriver(builder.build(props), props, NOW);
        commands = input(topics.messageRequested());
        outputs = new TopologyOutputs(driver, topics);
    }

    @AfterEach
    void nothingElseWasEmitted() {
        outputs.assertNothingElseEmittedAndClose();
    }

    // --- rooms ---

    @Test
    void createsRoomWithActorAsOwnerAndDedupedMembers() {
        send("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob", "alice", "bob")));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1", membershipEvent("chat.room.created.v1", "c1",
                new RoomCreated("r1", "Lobby", RoomVisibility.PUBLIC, "alice", List.of("alice", "bob"), REGION))));
        assertThat(room("r1")).isEqualTo(new RoomState("r1", "Lobby", RoomVisibility.PUBLIC, "alice",
                List.of("alice", "bob"), REGION, NOW, 0L, null, 0L, 0, 1L));
    }

    @Test
    void rejectsDuplicateRoomWithRoomExists() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("c2", "bob", new CreateRoomRequested("r1", "Mine", RoomVisibility.PRIVATE, List.of()));

        assertThat(readRejected()).containsExactly(rejection("c2", "bob", "r1", RejectionCode.ROOM_EXISTS,
                "room r1 already exists", null));
        assertThat(room("r1").getOwnerId()).isEqualTo("alice");
    }

    @Test
    void ownerAddsMember() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);

        send("c2", "alice", new AddMemberRequested("r1", "bob"));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1",
                membershipEvent("chat.room.member.joined.v1", "c2", new MemberJoined("r1", "bob", "alice"))));
        assertThat(room("r1").getMembers()).containsExactly("alice", "bob");
    }

    @Test
    void refusesAddFromMemberWhoIsNotOwner() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE, "bob");

        send("c2", "bob", new AddMemberRequested("r1", "carol"));

        assertThat(readRejected()).containsExactly(rejection("c2", "bob", "r1", RejectionCode.NOT_ROOM_OWNER,
                "only the owner can add members to r1", null));
        assertThat(room("r1").getMembers()).containsExactly("alice", "bob");
    }

    @Test
    void hidesPrivateRoomFromNonMemberAddingSomeone() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);

        send("c2", "mallory", new AddMemberRequested("r1", "mallory"));

        assertThat(readRejected()).containsExactly(rejection("c2", "mallory", "r1", RejectionCode.ROOM_NOT_FOUND,
                "room r1 not found", null));
    }

    @Test
    void answersAlreadyMemberWhenAddingAMember() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");

        send("c2", "alice", new AddMemberRequested("r1", "bob"));

        assertThat(readRejected()).containsExactly(rejection("c2", "alice", "r1", RejectionCode.ALREADY_MEMBER,
                "bob is already a member of r1", null));
    }

    @Test
    void joinsPublicRoom() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("c2", "bob", new JoinRoomRequested("r1"));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1",
                membershipEvent("chat.room.member.joined.v1", "c2", new MemberJoined("r1", "bob", "bob"))));
        assertThat(room("r1").getMembers()).containsExactly("alice", "bob");
    }

    @Test
    void refusesJoinOfPrivateRoomAsNotFound() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);

        send("c2", "bob", new JoinRoomRequested("r1"));

        assertThat(readRejected()).containsExactly(rejection("c2", "bob", "r1", RejectionCode.ROOM_NOT_FOUND,
                "room r1 not found", null));
        assertThat(room("r1").getMembers()).containsExactly("alice");
    }

    @Test
    void refusesJoinOfMissingRoom() {
        send("c1", "bob", new JoinRoomRequested("nowhere"));

        assertThat(readRejected()).containsExactly(rejection("c1", "bob", "nowhere", RejectionCode.ROOM_NOT_FOUND,
                "room nowhere not found", null));
        assertThat(room("nowhere")).isNull();
    }

    @Test
    void answersAlreadyMemberOnSecondJoin() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");

        send("c2", "bob", new JoinRoomRequested("r1"));

        assertThat(readRejected()).containsExactly(rejection("c2", "bob", "r1", RejectionCode.ALREADY_MEMBER,
                "bob is already a member of r1", null));
    }

    @Test
    void memberLeaves() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE, "bob");

        send("c2", "bob", new LeaveRoomRequested("r1"));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1",
                membershipEvent("chat.room.member.left.v1", "c2", new MemberLeft("r1", "bob", "bob"))));
        assertThat(room("r1").getMembers()).containsExactly("alice");
    }

    @Test
    void ownerCannotLeave() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");

        send("c2", "alice", new LeaveRoomRequested("r1"));

        assertThat(readRejected()).containsExactly(rejection("c2", "alice", "r1", RejectionCode.OWNER_CANNOT_LEAVE,
                "the owner cannot leave room r1", null));
        assertThat(room("r1").getMembers()).containsExactly("alice", "bob");
    }

    @Test
    void refusesLeaveFromNonMemberOfPublicRoom() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("c2", "bob", new LeaveRoomRequested("r1"));

        assertThat(readRejected()).containsExactly(rejection("c2", "bob", "r1", RejectionCode.NOT_A_MEMBER,
                "bob is not a member of r1", null));
    }

    @Test
    void refusesLeaveOfMissingRoom() {
        send("c1", "bob", new LeaveRoomRequested("r9"));

        assertThat(readRejected()).containsExactly(rejection("c1", "bob", "r9", RejectionCode.ROOM_NOT_FOUND,
                "room r9 not found", null));
    }

    // --- messages ---

    @Test
    void sequencesEachRoomIndependently() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE, "bob");
        createRoom("r2", "carol", RoomVisibility.PUBLIC);

        send("m1", "alice", message("r1", "one", "a1"));
        send("m2", "carol", message("r2", "uno", "c1"));
        send("m3", "bob", message("r1", "two", "b1"));
        send("m4", "alice", message("r1", "three", null));
        send("m5", "carol", message("r2", "dos", "c2"));

        assertThat(readSent()).containsExactly(
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "one", 1, "a1"))),
                KeyValue.pair("r2", sentEvent(chat("r2", "carol", "uno", 1, "c1"))),
                KeyValue.pair("r1", sentEvent(chat("r1", "bob", "two", 2, "b1"))),
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "three", 3, null))),
                KeyValue.pair("r2", sentEvent(chat("r2", "carol", "dos", 2, "c2"))));
        assertThat(readFanout()).containsExactly(
                KeyValue.pair("r1", fanoutEvent("m1", List.of("alice", "bob"), chat("r1", "alice", "one", 1, "a1"))),
                KeyValue.pair("r2", fanoutEvent("m2", List.of("carol"), chat("r2", "carol", "uno", 1, "c1"))),
                KeyValue.pair("r1", fanoutEvent("m3", List.of("alice", "bob"), chat("r1", "bob", "two", 2, "b1"))),
                KeyValue.pair("r1", fanoutEvent("m4", List.of("alice", "bob"), chat("r1", "alice", "three", 3, null))),
                KeyValue.pair("r2", fanoutEvent("m5", List.of("carol"), chat("r2", "carol", "dos", 2, "c2"))));
        assertThat(room("r1")).isEqualTo(new RoomState("r1", "r1", RoomVisibility.PRIVATE, "alice",
                List.of("alice", "bob"), REGION, NOW, 3L, NOW, 3L, 0, 1L));
        assertThat(room("r2").getLastSeq()).isEqualTo(2L);
    }

    @Test
    void givesSentAndFanoutTheSameNewMessageId() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("m1", "alice", message("r1", "one", null));
        send("m2", "alice", message("r1", "two", null));

        List<ChatMessageSent> sentValues = outputs.sent.readValuesToList();
        List<ChatFanout> fanoutValues = outputs.fanout.readValuesToList();
        List<String> sentIds = sentValues.stream().map(e -> e.getPayload().getMessageId()).toList();
        List<String> fanoutIds = fanoutValues.stream().map(e -> ((ChatMessage) e.getPayload().getEvent()).getMessageId())
                .toList();
        assertThat(sentIds).doesNotHaveDuplicates().hasSize(2).allMatch(id -> id.startsWith("id-"));
        assertThat(fanoutIds).isEqualTo(sentIds);
        sentValues.forEach(e -> eventIds(e.getEventId()));
        fanoutValues.forEach(e -> eventIds(e.getEventId()));
    }

    @Test
    void rejectsSendFromNonMemberWithNothingSentOrFannedOut() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("m1", "bob", message("r1", "hi", "b-1"));

        assertThat(readRejected()).containsExactly(rejection("m1", "bob", "r1", RejectionCode.NOT_A_MEMBER,
                "bob is not a member of r1", "b-1"));
        assertThat(room("r1").getLastSeq()).isZero();
    }

    @Test
    void hidesPrivateRoomFromNonMemberSender() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);

        send("m1", "bob", message("r1", "hi", "b-1"));

        assertThat(readRejected()).containsExactly(rejection("m1", "bob", "r1", RejectionCode.ROOM_NOT_FOUND,
                "room r1 not found", "b-1"));
    }

    @Test
    void rejectsSendToMissingRoom() {
        send("m1", "bob", message("r1", "hi", null));

        assertThat(readRejected()).containsExactly(rejection("m1", "bob", "r1", RejectionCode.ROOM_NOT_FOUND,
                "room r1 not found", null));
    }

    @Test
    void acceptsSendOfMemberAddedJustBefore() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);

        // Read-your-writes: the add and the send travel one partition, so the send sees the add.
        send("c2", "alice", new AddMemberRequested("r1", "bob"));
        send("m1", "bob", message("r1", "I'm in", "b-1"));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1",
                membershipEvent("chat.room.member.joined.v1", "c2", new MemberJoined("r1", "bob", "alice"))));
        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(chat("r1", "bob", "I'm in", 1, "b-1"))));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1",
                fanoutEvent("m1", List.of("alice", "bob"), chat("r1", "bob", "I'm in", 1, "b-1"))));
    }

    @Test
    void fansOutToTheMembersAtSendTime() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");

        send("m1", "alice", message("r1", "before", null));
        send("c2", "carol", new JoinRoomRequested("r1"));
        send("c3", "bob", new LeaveRoomRequested("r1"));
        send("m2", "alice", message("r1", "after", null));

        assertThat(readMembership()).containsExactly(
                KeyValue.pair("r1", membershipEvent("chat.room.member.joined.v1", "c2", new MemberJoined("r1", "carol", "carol"))),
                KeyValue.pair("r1", membershipEvent("chat.room.member.left.v1", "c3", new MemberLeft("r1", "bob", "bob"))));
        assertThat(readSent()).containsExactly(
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "before", 1, null))),
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "after", 2, null))));
        assertThat(readFanout()).containsExactly(
                KeyValue.pair("r1", fanoutEvent("m1", List.of("alice", "bob"), chat("r1", "alice", "before", 1, null))),
                KeyValue.pair("r1", fanoutEvent("m2", List.of("alice", "carol"), chat("r1", "alice", "after", 2, null))));
    }

    // --- attachments ---

    @Test
    void registersAnAttachmentAndWritesTheUploadedEventOnceEvenWhenRegisteredAgain() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);
        AttachmentMetadata first = attachment("att-1", "r1", "report.pdf");

        register("u1", first);
        register("u2", first);
        register("u3", attachment("att-1", "r1", "renamed.pdf"));

        assertThat(readUploaded()).containsExactly(KeyValue.pair("r1",
                new AttachmentUploaded("chat.attachment.uploaded.v1", ID, NOW, REGION, Envelopes.SCHEMA_VERSION, first)));
        assertThat(storedAttachment("r1", "att-1")).as("the first registration stands").isEqualTo(first);
    }

    @Test
    void acceptsASendNamingRegisteredAttachmentsAndCarriesTheirMetadataInTheGivenOrder() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE, "bob");
        registerAndRead(attachment("att-1", "r1", "one.png"));
        registerAndRead(attachment("att-2", "r1", null));

        send("m1", "bob", new SendMessageRequested("r1", "two files", "b-1", List.of("att-2", "att-1")));

        ChatMessage expected = chat("r1", "bob", "two files", 1, "b-1", ref("att-2", null), ref("att-1", "one.png"));
        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(expected)));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1",
                fanoutEvent("m1", List.of("alice", "bob"), expected)));
        assertThat(history("r1")).singleElement().satisfies(entry -> assertThat(entry.getMessage().getAttachments())
                .containsExactly(ref("att-2", null), ref("att-1", "one.png")));
    }

    @Test
    void acceptsAMessageOfAttachmentsOnlyWithEmptyContent() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "photo.jpg"));

        send("m1", "alice", new SendMessageRequested("r1", "", null, List.of("att-1")));

        ChatMessage expected = chat("r1", "alice", "", 1, null, ref("att-1", "photo.jpg"));
        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(expected)));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1", fanoutEvent("m1", List.of("alice"), expected)));
    }

    @Test
    void refusesAnUnknownAttachmentWithoutConsumingASeq() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "one.png"));

        send("m1", "alice", new SendMessageRequested("r1", "see file", "a-1", List.of("att-1", "att-404")));

        assertThat(readRejected()).containsExactly(rejection("m1", "alice", "r1", RejectionCode.ATTACHMENT_NOT_FOUND,
                "attachment att-404 not found in room r1", "a-1"));
        assertThat(room("r1").getLastSeq()).isZero();
        assertThat(history("r1")).isEmpty();
    }

    @Test
    void refusesAnotherRoomsAttachmentExactlyAsAnUnknownOne() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        createRoom("r2", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-2", "r2", "elsewhere.png"));

        send("m1", "alice", new SendMessageRequested("r1", "see file", "a-1", List.of("att-2")));

        assertThat(readRejected()).containsExactly(rejection("m1", "alice", "r1", RejectionCode.ATTACHMENT_NOT_FOUND,
                "attachment att-2 not found in room r1", "a-1"));
        assertThat(room("r1").getLastSeq()).isZero();
    }

    @Test
    void refusesARemovedAttachmentWhileMessagesAlreadySentKeepItsMetadata() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "one.png"));
        send("m1", "alice", new SendMessageRequested("r1", "first", null, List.of("att-1")));
        ChatMessage first = chat("r1", "alice", "first", 1, null, ref("att-1", "one.png"));
        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(first)));
        assertThat(readFanout()).hasSize(1);

        send("x1", "alice", new RemoveAttachment("r1", "att-1"));
        send("m2", "alice", new SendMessageRequested("r1", "again", "a-2", List.of("att-1")));

        assertThat(readRejected()).containsExactly(rejection("m2", "alice", "r1", RejectionCode.ATTACHMENT_NOT_FOUND,
                "attachment att-1 not found in room r1", "a-2"));
        assertThat(storedAttachment("r1", "att-1")).isNull();
        assertThat(history("r1")).singleElement().satisfies(entry ->
                assertThat(entry.getMessage().getAttachments()).containsExactly(ref("att-1", "one.png")));
    }

    @Test
    void removingAnUnknownAttachmentChangesNothing() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("x1", "alice", new RemoveAttachment("r1", "att-404"));
        send("x2", "alice", new RemoveAttachment("nowhere", "att-404"));

        assertThat(storedAttachment("r1", "att-404")).isNull();
    }

    @Test
    void refusesMoreThanTheMaximumOfAttachmentsPerMessage() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        List<String> ids = new ArrayList<>();
        List<AttachmentRef> refs = new ArrayList<>();
        for (int i = 1; i <= RoomCommandJudge.MAX_ATTACHMENTS + 1; i++) {
            registerAndRead(attachment("att-" + i, "r1", "f" + i));
            ids.add("att-" + i);
            refs.add(ref("att-" + i, "f" + i));
        }

        send("m1", "alice", new SendMessageRequested("r1", "all", "a-1", ids));
        send("m2", "alice", new SendMessageRequested("r1", "the most", "a-2", ids.subList(0, RoomCommandJudge.MAX_ATTACHMENTS)));

        assertThat(readRejected()).containsExactly(rejection("m1", "alice", "r1", RejectionCode.TOO_MANY_ATTACHMENTS,
                "a message carries at most 10 attachments, not 11", "a-1"));
        ChatMessage accepted = chat("r1", "alice", "the most", 1, "a-2",
                refs.subList(0, RoomCommandJudge.MAX_ATTACHMENTS).toArray(AttachmentRef[]::new));
        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(accepted)));
        assertThat(readFanout()).hasSize(1);
    }

    @Test
    void refusesAnAttachmentNamedTwice() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "one.png"));

        send("m1", "alice", new SendMessageRequested("r1", "twice", "a-1", List.of("att-1", "att-1")));

        assertThat(readRejected()).containsExactly(rejection("m1", "alice", "r1", RejectionCode.DUPLICATE_ATTACHMENT,
                "attachment att-1 is named twice", "a-1"));
    }

    @Test
    void checksRoomAndMembershipBeforeAttachments() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE);
        createRoom("r2", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "one.png"));
        registerAndRead(attachment("att-2", "r2", "two.png"));

        send("m1", "mallory", new SendMessageRequested("r1", "peek", "m-1", List.of("att-1")));
        send("m2", "mallory", new SendMessageRequested("r2", "peek", "m-2", List.of("att-2")));

        assertThat(readRejected()).containsExactly(
                rejection("m1", "mallory", "r1", RejectionCode.ROOM_NOT_FOUND, "room r1 not found", "m-1"),
                rejection("m2", "mallory", "r2", RejectionCode.NOT_A_MEMBER, "mallory is not a member of r2", "m-2"));
    }

    @Test
    void answersARetriedSendWithItsOriginalEvenAfterItsAttachmentWasRemoved() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        registerAndRead(attachment("att-1", "r1", "one.png"));
        send("m1", "alice", new SendMessageRequested("r1", "file", "a-1", List.of("att-1")));
        String messageId = outputs.sent.readValue().getPayload().getMessageId();
        outputs.fanout.readValue();

        send("x1", "alice", new RemoveAttachment("r1", "att-1"));
        send("m1-retry", "alice", new SendMessageRequested("r1", "file", "a-1", List.of("att-1")));

        assertThat(readRejected()).containsExactly(duplicate("m1-retry", "alice", "r1", "a-1", messageId, 1));
    }

    @Test
    void refusesToRegisterAnAttachmentOfAnotherRoomOrForAMissingRoom() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        register("u1", "r1", attachment("att-2", "r2", "two.png"));
        register("u2", attachment("att-9", "nowhere", "nine.png"));
        send("m1", "alice", new SendMessageRequested("r1", "file", "a-1", List.of("att-2")));

        assertThat(readRejected()).containsExactly(
                rejection("u1", "alice", "r1", RejectionCode.ATTACHMENT_ROOM_MISMATCH,
                        "attachment att-2 belongs to room r2, not r1", null),
                rejection("u2", "alice", "nowhere", RejectionCode.ROOM_NOT_FOUND, "room nowhere not found", null),
                rejection("m1", "alice", "r1", RejectionCode.ATTACHMENT_NOT_FOUND,
                        "attachment att-2 not found in room r1", "a-1"));
        assertThat(storedAttachment("r1", "att-2")).isNull();
        assertThat(storedAttachment("r2", "att-2")).isNull();
        assertThat(storedAttachment("nowhere", "att-9")).isNull();
    }


    // --- idempotent sends ---

    @Test
    void answersARepeatedSendWithOneDuplicateNamingTheOriginalAndConsumesNoSeq() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        String original = sendAndRead("m1", "alice", "r1", "hi", "a-1");

        send("m2", "alice", message("r1", "hi", "a-1"));

        assertThat(readRejected()).containsExactly(duplicate("m2", "alice", "r1", "a-1", original, 1));
        assertThat(outputs.sent.isEmpty()).isTrue();
        assertThat(outputs.fanout.isEmpty()).isTrue();

        send("m3", "alice", message("r1", "next", "a-2"));

        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(chat("r1", "alice", "next", 2, "a-2"))));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1",
                fanoutEvent("m3", List.of("alice"), chat("r1", "alice", "next", 2, "a-2"))));
        assertThat(room("r1").getLastSeq()).isEqualTo(2L);
        assertThat(room("r1").getMessageCount()).isEqualTo(2L);
    }

    @Test
    void answersDuplicateToARetryEvenAfterTheSenderLeft() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        String original = sendAndRead("m1", "bob", "r1", "bye", "b-1");
        send("c2", "bob", new LeaveRoomRequested("r1"));
        assertThat(outputs.membership.readValue().getPayload()).isInstanceOf(MemberLeft.class);

        send("m2", "bob", message("r1", "bye", "b-1"));

        assertThat(readRejected()).containsExactly(duplicate("m2", "bob", "r1", "b-1", original, 1));
    }

    @Test
    void deduplicatesPerRoomAndSenderOnly() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        createRoom("r2", "alice", RoomVisibility.PUBLIC);

        send("m1", "alice", message("r1", "x", "c-1"));
        send("m2", "bob", message("r1", "x", "c-1"));
        send("m3", "alice", message("r2", "x", "c-1"));

        assertThat(readSent()).containsExactly(
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "x", 1, "c-1"))),
                KeyValue.pair("r1", sentEvent(chat("r1", "bob", "x", 2, "c-1"))),
                KeyValue.pair("r2", sentEvent(chat("r2", "alice", "x", 1, "c-1"))));
        assertThat(readFanout()).hasSize(3);
    }

    @Test
    void neverDeduplicatesSendsWithoutClientMsgId() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("m1", "alice", message("r1", "same", null));
        send("m2", "alice", message("r1", "same", null));

        assertThat(readSent()).containsExactly(
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "same", 1, null))),
                KeyValue.pair("r1", sentEvent(chat("r1", "alice", "same", 2, null))));
        assertThat(readFanout()).hasSize(2);
    }

    @Test
    void purgesTheReceiptWhenTheWindowEndsSoARepeatIsANewMessage() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        String original = sendAndRead("m1", "alice", "r1", "hi", "a-1");
        assertThat(receipt("r1", "alice", "a-1")).isEqualTo(new SendReceipt(original, 1L, NOW, 0));

        clock.advance(RETENTION.dedupeWindow());
        driver.advanceWallClockTime(RETENTION.dedupeWindow());

        assertThat(receipt("r1", "alice", "a-1")).isNull();
        send("m2", "alice", message("r1", "hi", "a-1"));
        List<ChatMessage> messages = outputs.sent.readValuesToList().stream().map(ChatMessageSent::getPayload).toList();
        assertThat(messages).extracting(ChatMessage::getSeq, ChatMessage::getSentAt)
                .containsExactly(tuple(2L, NOW.plus(RETENTION.dedupeWindow())));
        assertThat(messages.getFirst().getMessageId()).isNotEqualTo(original);
        assertThat(receipt("r1", "alice", "a-1"))
                .isEqualTo(new SendReceipt(messages.getFirst().getMessageId(), 2L, NOW.plus(RETENTION.dedupeWindow()), 0));
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
    }

    @Test
    void judgesTheWindowExactlyEvenBeforeThePurgeRuns() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        String original = sendAndRead("m1", "alice", "r1", "hi", "a-1");

        clock.advance(RETENTION.dedupeWindow().minusMillis(1));
        send("m2", "alice", message("r1", "hi", "a-1"));
        clock.advance(Duration.ofMillis(1));
        send("m3", "alice", message("r1", "hi", "a-1"));

        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode(), r -> r.getPayload().getMessageId())
                .containsExactly(tuple("DUPLICATE", original));
        assertThat(outputs.sent.readValuesToList()).extracting(e -> e.getPayload().getSeq()).containsExactly(2L);
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
    }

    // --- history ---

    @Test
    void keepsTheNewestMessagesOfEachRoomUpToTheCount() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        createRoom("r2", "alice", RoomVisibility.PUBLIC);
        for (int i = 1; i <= 7; i++) {
            sendAndRead("m" + i, "alice", "r1", "msg-" + i, null);
        }
        String other = sendAndRead("x1", "alice", "r2", "other", null);

        assertThat(historySeqs("r1")).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(history("r1")).extracting(e -> e.getMessage().getContent())
                .containsExactly("msg-3", "msg-4", "msg-5", "msg-6", "msg-7");
        assertThat(history("r2")).containsExactly(new HistoryEntry(
                new ChatMessage(other, "r2", "alice", "other", NOW, 1L, null, List.of(), 0), null, null, null));
        assertThat(room("r1").getLastSeq()).isEqualTo(7L);
        assertThat(room("r1").getMessageCount()).isEqualTo(7L);
    }

    @Test
    void keepsExactlyTheNewestWindowOfEveryRoomThroughManyInterleavedSends() {
        // The trim skips its scan while a room's remembered oldest entry is kept: this checks it never skips one due.
        List<String> rooms = List.of("r1", "r2", "r3");
        rooms.forEach(room -> createRoom(room, "alice", RoomVisibility.PUBLIC));
        Map<String, List<String>> ids = new HashMap<>();
        for (int i = 1; i <= 40; i++) {
            String room = rooms.get(i % 3 == 0 ? 0 : i % 5 == 0 ? 1 : 2); // uneven shares per room
            ids.computeIfAbsent(room, r -> new ArrayList<>()).add(sendAndRead("m" + i, "alice", room, "msg-" + i, null));
            clock.advance(Duration.ofMinutes(1));
            for (String r : rooms) {
                long last = ids.getOrDefault(r, List.of()).size();
                List<Long> expected = new ArrayList<>();
                for (long seq = Math.max(1, last - 4); seq <= last; seq++) {
                    expected.add(seq);
                }
                assertThat(historySeqs(r)).as("room %s after send %d", r, i).isEqualTo(expected);
            }
        }
    }

    @Test
    void dropsMessagesOlderThanTheMaxAgeByPunctuatorAndOnAppend() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        sendAndRead("m1", "alice", "r1", "one", null);
        clock.advance(Duration.ofMinutes(90));
        sendAndRead("m2", "alice", "r1", "two", null);

        clock.advance(Duration.ofMinutes(31));
        driver.advanceWallClockTime(Duration.ofMinutes(121));

        assertThat(historySeqs("r1")).containsExactly(2L);

        // No punctuation now: the append itself trims the message that aged out.
        clock.advance(Duration.ofMinutes(100));
        sendAndRead("m3", "alice", "r1", "three", null);

        assertThat(historySeqs("r1")).containsExactly(3L);
        assertThat(room("r1").getLastSeq()).isEqualTo(3L);
    }

    // --- edit and delete ---

    @Test
    void authorEditsAMessageAndHistoryShowsTheNewContent() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        String id = sendAndRead("m1", "bob", "r1", "helo", "b-1");
        RoomState before = room("r1");
        clock.advance(Duration.ofMinutes(1));
        Instant at = NOW.plus(Duration.ofMinutes(1));

        send("e1", "bob", new EditMessageRequested("r1", id, "hello"));

        MessageEdit edit = new MessageEdit(id, "r1", 1L, "bob", "hello", at, 0);
        assertThat(readEdited()).containsExactly(KeyValue.pair("r1",
                new ChatMessageEdited("chat.message.edited.v1", ID, at, REGION, Envelopes.SCHEMA_VERSION, edit)));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1", new ChatFanout("chat.fanout.v1", ID, at, REGION,
                Envelopes.SCHEMA_VERSION, new Fanout("r1", List.of("alice", "bob"), "e1", ORIGIN, edit))));
        assertThat(history("r1")).containsExactly(new HistoryEntry(
                new ChatMessage(id, "r1", "bob", "hello", NOW, 1L, "b-1", List.of(), 0), at, null, null));
        assertThat(room("r1")).isEqualTo(before);
    }

    @Test
    void refusesEditByAnyoneButTheAuthorEvenTheOwner() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        String id = sendAndRead("m1", "bob", "r1", "mine", null);

        send("e1", "alice", new EditMessageRequested("r1", id, "yours"));

        assertThat(readRejected()).containsExactly(rejection("e1", "alice", "r1", RejectionCode.NOT_MESSAGE_AUTHOR,
                "only the author can edit message " + id, null));
        assertThat(history("r1")).extracting(e -> e.getMessage().getContent()).containsExactly("mine");
    }

    @Test
    void authorDeletesAMessageKeepingItsSeqWithEmptyContent() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        String id = sendAndRead("m1", "bob", "r1", "oops", "b-1");
        sendAndRead("m2", "alice", "r1", "after", null);
        RoomState before = room("r1");

        send("d1", "bob", new DeleteMessageRequested("r1", id));

        assertDeleted("d1", id, 1L, "bob", List.of("alice", "bob"));
        assertThat(history("r1").getFirst()).isEqualTo(
                new HistoryEntry(new ChatMessage(id, "r1", "bob", "", NOW, 1L, "b-1", List.of(), 0), null, NOW, "bob"));
        assertThat(history("r1")).extracting(e -> e.getMessage().getSeq(), e -> e.getMessage().getContent(),
                HistoryEntry::getDeletedBy).containsExactly(tuple(1L, "", "bob"), tuple(2L, "after", null));
        assertThat(room("r1")).isEqualTo(before);
    }

    @Test
    void ownerDeletesAnotherMembersMessage() {
        createRoom("r1", "alice", RoomVisibility.PRIVATE, "bob");
        String id = sendAndRead("m1", "bob", "r1", "spam", null);

        send("d1", "alice", new DeleteMessageRequested("r1", id));

        assertDeleted("d1", id, 1L, "alice", List.of("alice", "bob"));
        assertThat(history("r1")).extracting(HistoryEntry::getDeletedBy).containsExactly("alice");
    }

    @Test
    void refusesDeleteByAMemberWhoIsNeitherAuthorNorOwner() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob", "carol");
        String id = sendAndRead("m1", "bob", "r1", "keep", null);

        send("d1", "carol", new DeleteMessageRequested("r1", id));

        assertThat(readRejected()).containsExactly(rejection("d1", "carol", "r1", RejectionCode.NOT_MESSAGE_AUTHOR,
                "only the author or the room owner can delete message " + id, null));
        assertThat(history("r1")).extracting(HistoryEntry::getDeletedAt).containsOnlyNulls();
    }

    @Test
    void refusesEditOrDeleteOfADeletedOrUnknownMessage() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC, "bob");
        String id = sendAndRead("m1", "bob", "r1", "gone soon", null);
        send("d1", "bob", new DeleteMessageRequested("r1", id));
        assertDeleted("d1", id, 1L, "bob", List.of("alice", "bob"));

        send("e1", "bob", new EditMessageRequested("r1", id, "back"));
        send("d2", "bob", new DeleteMessageRequested("r1", id));
        send("e2", "bob", new EditMessageRequested("r1", "no-such-id", "?"));

        assertThat(readRejected()).containsExactly(
                rejection("e1", "bob", "r1", RejectionCode.MESSAGE_NOT_FOUND, "message " + id + " not found in room r1", null),
                rejection("d2", "bob", "r1", RejectionCode.MESSAGE_NOT_FOUND, "message " + id + " not found in room r1", null),
                rejection("e2", "bob", "r1", RejectionCode.MESSAGE_NOT_FOUND, "message no-such-id not found in room r1",
                        null));
    }

    @Test
    void refusesEditOfAMessageTrimmedFromHistory() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        String first = sendAndRead("m1", "alice", "r1", "old", null);
        for (int i = 2; i <= RETENTION.historyMaxMessages() + 1; i++) {
            sendAndRead("m" + i, "alice", "r1", "msg-" + i, null);
        }

        send("e1", "alice", new EditMessageRequested("r1", first, "new"));

        assertThat(readRejected()).containsExactly(rejection("e1", "alice", "r1", RejectionCode.MESSAGE_NOT_FOUND,
                "message " + first + " not found in room r1", null));
    }

    @Test
    void refusesEditAndDeleteFromFormerMembersHidingPrivateRooms() {
        createRoom("pub", "alice", RoomVisibility.PUBLIC, "bob");
        createRoom("priv", "alice", RoomVisibility.PRIVATE, "bob");
        String inPublic = sendAndRead("m1", "bob", "pub", "a", null);
        String inPrivate = sendAndRead("m2", "bob", "priv", "b", null);
        send("l1", "bob", new LeaveRoomRequested("pub"));
        send("l2", "bob", new LeaveRoomRequested("priv"));
        assertThat(outputs.membership.readValuesToList()).hasSize(2);

        send("e1", "bob", new EditMessageRequested("pub", inPublic, "x"));
        send("d1", "bob", new DeleteMessageRequested("priv", inPrivate));

        assertThat(readRejected()).containsExactly(
                rejection("e1", "bob", "pub", RejectionCode.NOT_A_MEMBER, "bob is not a member of pub", null),
                rejection("d1", "bob", "priv", RejectionCode.ROOM_NOT_FOUND, "room priv not found", null));
    }

    private void assertDeleted(String commandId, String messageId, long seq, String by, List<String> recipients) {
        MessageDeletion deletion = new MessageDeletion(messageId, "r1", seq, by, clock.instant(), 0);
        assertThat(readDeleted()).containsExactly(KeyValue.pair("r1", new ChatMessageDeleted("chat.message.deleted.v1",
                ID, clock.instant(), REGION, Envelopes.SCHEMA_VERSION, deletion)));
        assertThat(readFanout()).containsExactly(KeyValue.pair("r1", new ChatFanout("chat.fanout.v1", ID,
                clock.instant(), REGION, Envelopes.SCHEMA_VERSION,
                new Fanout("r1", recipients, commandId, ORIGIN, deletion))));
    }

    // --- envelopes, headers, failures ---

    @Test
    void fillsEveryEnvelopeWithRandomEventIds() {
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, REGION, Retention.DEFAULT);
        startDriver(builder);
        Instant before = Instant.now();

        send("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of()));
        send("m1", "alice", message("r1", "hi", null));
        send("m2", "bob", message("r1", "hi", null));

        RoomMembershipEvent created = outputs.membership.readValue();
        ChatMessageSent message = outputs.sent.readValue();
        ChatFanout fanned = outputs.fanout.readValue();
        CommandRejected refused = outputs.rejected.readValue();
        assertEnvelope(created.getEventType(), created.getEventId(), created.getOccurredAt(), created.getRegion(),
                created.getSchemaVersion(), "chat.room.created.v1", before);
        assertEnvelope(message.getEventType(), message.getEventId(), message.getOccurredAt(), message.getRegion(),
                message.getSchemaVersion(), "chat.message.sent.v1", before);
        assertEnvelope(fanned.getEventType(), fanned.getEventId(), fanned.getOccurredAt(), fanned.getRegion(),
                fanned.getSchemaVersion(), "chat.fanout.v1", before);
        assertEnvelope(refused.getEventType(), refused.getEventId(), refused.getOccurredAt(), refused.getRegion(),
                refused.getSchemaVersion(), "chat.message.rejected.v1", before);
        assertThat(message.getPayload().getMessageId()).matches(UUID_PATTERN);
        assertThat(message.getPayload().getSentAt()).isEqualTo(message.getOccurredAt());
    }

    @Test
    void productionMessageIdsNameTheirSeqSoAnEditOrDeletionFindsItsMessageByKey() {
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, REGION, Retention.DEFAULT);
        startDriver(builder);
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ids.add(sendAndRead("m" + i, "alice", "r1", "msg-" + i, null));
        }

        assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(8));
        assertThat(ids).extracting(MessageIds::seqOf).containsExactly(1L, 2L, 3L);
        send("e1", "alice", new EditMessageRequested("r1", ids.get(1), "edited"));
        send("d1", "alice", new DeleteMessageRequested("r1", ids.get(0)));
        // A well-formed id naming seq 3 with other random bits is no message of this room.
        send("e2", "alice", new EditMessageRequested("r1", MessageIds.forSeq(3), "?"));

        assertThat(readEdited()).singleElement().satisfies(e -> {
            assertThat(e.value.getPayload().getMessageId()).isEqualTo(ids.get(1));
            assertThat(e.value.getPayload().getContent()).isEqualTo("edited");
        });
        assertThat(readDeleted()).singleElement()
                .satisfies(d -> assertThat(d.value.getPayload().getMessageId()).isEqualTo(ids.get(0)));
        assertThat(outputs.rejected.readValue().getPayload().getCode()).isEqualTo(RejectionCode.MESSAGE_NOT_FOUND.name());
        assertThat(outputs.fanout.readValuesToList()).as("the edit's and the deletion's").hasSize(2);
        assertThat(history("r1")).extracting(e -> e.getMessage().getContent()).containsExactly("", "edited", "msg-3");
    }

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private void assertEnvelope(String eventType, String eventId, Instant occurredAt, String region, int schemaVersion,
                                String expectedType, Instant notBefore) {
        assertThat(eventType).isEqualTo(expectedType);
        assertThat(eventId).matches(UUID_PATTERN);
        eventIds(eventId);
        assertThat(occurredAt).isBetween(notBefore.minusMillis(1), Instant.now());
        assertThat(region).isEqualTo(REGION);
        assertThat(schemaVersion).isEqualTo(Envelopes.SCHEMA_VERSION);
    }

    @Test
    void propagatesIncomingHeadersAndTheJudgingTimeToEveryOutput() {
        Header traceparent = new RecordHeader("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));

        sendWithHeaders(command("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of())),
                traceparent);
        sendWithHeaders(command("m1", "alice", message("r1", "hi", null)), traceparent);
        sendWithHeaders(command("m2", "bob", message("r1", "hi", null)), traceparent);

        List<TestRecord<String, ?>> records = new ArrayList<>();
        records.addAll(outputs.membership.readRecordsToList());
        records.addAll(outputs.sent.readRecordsToList());
        records.addAll(outputs.fanout.readRecordsToList());
        records.addAll(outputs.rejected.readRecordsToList());
        // Plus the judging time, for ./bench/hops (Streams gives outputs the command's timestamp, not this one).
        Header judgedAt = new RecordHeader(RoomTopology.JUDGED_AT_HEADER,
                Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8));
        assertThat(records).hasSize(4).allSatisfy(record ->
                assertThat(record.headers().toArray()).containsExactly(traceparent, judgedAt));
    }

    @Test
    void skipsUndecodableCommandAndKeepsJudgingTheRoom() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.messageRequested().name(),
                new StringSerializer(), new ByteArraySerializer());

        raw.pipeInput("r1", "not avro".getBytes(StandardCharsets.UTF_8));
        send("m1", "alice", message("r1", "still here", null));

        assertThat(readSent()).containsExactly(KeyValue.pair("r1", sentEvent(chat("r1", "alice", "still here", 1, null))));
        assertThat(readFanout()).hasSize(1);
        assertThat(droppedRecords()).isEqualTo(1.0);
    }

    private double droppedRecords() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> (Double) e.getValue().metricValue())
                .sum();
    }

    // --- helpers ---

    private void createRoom(String roomId, String owner, RoomVisibility visibility, String... members) {
        send("create-" + roomId, owner, new CreateRoomRequested(roomId, roomId, visibility, List.of(members)));
        assertThat(outputs.membership.readValue().getPayload()).isInstanceOf(RoomCreated.class);
    }

    private static AttachmentMetadata attachment(String attachmentId, String roomId, String fileName) {
        return new AttachmentMetadata(attachmentId, roomId, "alice", roomId + "/" + attachmentId, fileName, "image/png",
                1234L, "sha256:abc", NOW.minusSeconds(60));
    }

    private static AttachmentRef ref(String attachmentId, String fileName) {
        return new AttachmentRef(attachmentId, fileName, "image/png", 1234L);
    }

    /** The attachment-api registers {@code attachment} for its own room. */
    private void register(String commandId, AttachmentMetadata attachment) {
        register(commandId, attachment.getRoomId(), attachment);
    }

    private void register(String commandId, String roomId, AttachmentMetadata attachment) {
        send(commandId, "alice", new RegisterAttachment(roomId, attachment));
    }

    /** Registers {@code attachment} and reads its uploaded event. */
    private void registerAndRead(AttachmentMetadata attachment) {
        register("reg-" + attachment.getAttachmentId(), attachment);
        assertThat(outputs.uploaded.readValue().getPayload()).isEqualTo(attachment);
    }

    private AttachmentMetadata storedAttachment(String roomId, String attachmentId) {
        KeyValueStore<String, AttachmentMetadata> store = driver.getKeyValueStore(RoomTopology.ATTACHMENTS_STORE);
        return store.get(StoreKeys.attachment(roomId, attachmentId));
    }

    private static SendMessageRequested message(String roomId, String content, String clientMsgId) {
        return new SendMessageRequested(roomId, content, clientMsgId, List.of());
    }

    private static RoomCommand command(String commandId, String actor, Object payload) {
        return new RoomCommand("chat.message.requested.v1", "evt-" + commandId, NOW, REGION, Envelopes.SCHEMA_VERSION,
                commandId, actor, ORIGIN, payload);
    }

    private void send(String commandId, String actor, Object payload) {
        RoomCommand command = command(commandId, actor, payload);
        commands.pipeInput(RoomCommandJudge.roomIdOf(command), command);
    }

    private void sendWithHeaders(RoomCommand command, Header... headers) {
        commands.pipeInput(new TestRecord<>(RoomCommandJudge.roomIdOf(command), command, new RecordHeaders(headers),
                NOW));
    }

    /** Sends a message, reads its sent and fan-out events, and returns its message id. */
    private String sendAndRead(String commandId, String actor, String roomId, String content, String clientMsgId) {
        send(commandId, actor, message(roomId, content, clientMsgId));
        ChatMessageSent event = outputs.sent.readValue();
        assertThat(outputs.fanout.readValue().getPayload().getEvent()).isEqualTo(event.getPayload());
        return event.getPayload().getMessageId();
    }

    private SendReceipt receipt(String roomId, String senderId, String clientMsgId) {
        KeyValueStore<String, SendReceipt> store = driver.getKeyValueStore(RoomTopology.SEND_RECEIPTS_STORE);
        return store.get(StoreKeys.receipt(roomId, senderId, clientMsgId));
    }

    private List<HistoryEntry> history(String roomId) {
        KeyValueStore<String, HistoryEntry> store = driver.getKeyValueStore(RoomTopology.HISTORY_STORE);
        List<HistoryEntry> entries = new ArrayList<>();
        try (var it = store.range(StoreKeys.historyStart(roomId), StoreKeys.historyEnd(roomId))) {
            it.forEachRemaining(kv -> entries.add(kv.value));
        }
        return entries;
    }

    private List<Long> historySeqs(String roomId) {
        return history(roomId).stream().map(e -> e.getMessage().getSeq()).toList();
    }

    private static KeyValue<String, CommandRejected> duplicate(String commandId, String actor, String roomId,
                                                               String clientMsgId, String messageId, long seq) {
        return KeyValue.pair(actor, new CommandRejected("chat.message.rejected.v1", ID, NOW, REGION,
                Envelopes.SCHEMA_VERSION, new Rejection(commandId, actor, roomId, "DUPLICATE",
                "already accepted as seq " + seq, clientMsgId, ORIGIN, messageId, seq, 0)));
    }

    private List<KeyValue<String, ChatMessageEdited>> readEdited() {
        return masked(outputs.edited, e -> {
            eventIds(e.getEventId());
            return ChatMessageEdited.newBuilder(e).setEventId(ID).build();
        });
    }

    private List<KeyValue<String, ChatMessageDeleted>> readDeleted() {
        return masked(outputs.deleted, e -> {
            eventIds(e.getEventId());
            return ChatMessageDeleted.newBuilder(e).setEventId(ID).build();
        });
    }

    private RoomState room(String roomId) {
        KeyValueStore<String, RoomState> store = driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE);
        return store.get(roomId);
    }

    private static RoomMembershipEvent membershipEvent(String eventType, String commandId, Object payload) {
        return new RoomMembershipEvent(eventType, ID, NOW, REGION, Envelopes.SCHEMA_VERSION, commandId, payload);
    }

    private static ChatMessage chat(String roomId, String sender, String content, long seq, String clientMsgId,
                                    AttachmentRef... attachments) {
        return new ChatMessage(ID, roomId, sender, content, NOW, seq, clientMsgId, List.of(attachments), 0);
    }

    private static ChatMessageSent sentEvent(ChatMessage message) {
        return new ChatMessageSent("chat.message.sent.v1", ID, NOW, REGION, Envelopes.SCHEMA_VERSION, message);
    }

    private static ChatFanout fanoutEvent(String commandId, List<String> recipients, ChatMessage message) {
        return new ChatFanout("chat.fanout.v1", ID, NOW, REGION, Envelopes.SCHEMA_VERSION,
                new Fanout(message.getRoomId(), recipients, commandId, ORIGIN, message));
    }

    private static KeyValue<String, CommandRejected> rejection(String commandId, String actor, String roomId,
                                                               RejectionCode code, String reason, String clientMsgId) {
        return KeyValue.pair(actor, new CommandRejected("chat.message.rejected.v1", ID, NOW, REGION,
                Envelopes.SCHEMA_VERSION, new Rejection(commandId, actor, roomId, code.name(), reason, clientMsgId, ORIGIN,
                null, null, 0)));
    }

    /** Reads a topic, records its event ids and masks them so records compare whole. */
    private List<KeyValue<String, RoomMembershipEvent>> readMembership() {
        return masked(outputs.membership, e -> {
            eventIds(e.getEventId());
            return RoomMembershipEvent.newBuilder(e).setEventId(ID).build();
        });
    }

    private List<KeyValue<String, ChatMessageSent>> readSent() {
        return masked(outputs.sent, e -> {
            eventIds(e.getEventId());
            return ChatMessageSent.newBuilder(e).setEventId(ID).setPayload(maskMessageId(e.getPayload())).build();
        });
    }

    private List<KeyValue<String, ChatFanout>> readFanout() {
        return masked(outputs.fanout, e -> {
            eventIds(e.getEventId());
            Object event = e.getPayload().getEvent();
            Fanout payload = Fanout.newBuilder(e.getPayload())
                    .setEvent(event instanceof ChatMessage m ? maskMessageId(m) : event).build();
            return ChatFanout.newBuilder(e).setEventId(ID).setPayload(payload).build();
        });
    }

    private List<KeyValue<String, AttachmentUploaded>> readUploaded() {
        return masked(outputs.uploaded, e -> {
            eventIds(e.getEventId());
            return AttachmentUploaded.newBuilder(e).setEventId(ID).build();
        });
    }

    private List<KeyValue<String, CommandRejected>> readRejected() {
        return masked(outputs.rejected, e -> {
            eventIds(e.getEventId());
            return CommandRejected.newBuilder(e).setEventId(ID).build();
        });
    }

    private static ChatMessage maskMessageId(ChatMessage message) {
        assertThat(message.getMessageId()).isNotBlank();
        return ChatMessage.newBuilder(message).setMessageId(ID).build();
    }

    private static <V> List<KeyValue<String, V>> masked(TestOutputTopic<String, V> topic, UnaryOperator<V> mask) {
        return topic.readKeyValuesToList().stream().map(kv -> KeyValue.pair(kv.key, mask.apply(kv.value))).toList();
    }

    private void eventIds(String eventId) {
        assertThat(eventIds.add(eventId)).as("event id %s is unique", eventId).isTrue();
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }
}
