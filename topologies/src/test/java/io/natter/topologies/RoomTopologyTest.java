package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.Envelopes;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    @TempDir
    Path stateDir;

    private final AtomicLong idCounter = new AtomicLong();
    private final Set<String> eventIds = new HashSet<>();
    private Topics topics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> commands;
    private TestOutputTopic<String, RoomMembershipEvent> membership;
    private TestOutputTopic<String, ChatMessageSent> sent;
    private TestOutputTopic<String, ChatFanout> fanout;
    private TestOutputTopic<String, CommandRejected> rejected;

    @BeforeEach
    void startDriver() {
        topics = new Topics(new InMemorySchemaRegistry(), true);
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, REGION, Clock.fixed(NOW, ZoneOffset.UTC),
                () -> "id-" + idCounter.incrementAndGet());
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
        driver = new TopologyTestDriver(builder.build(props), props);
        commands = input(topics.messageRequested());
        membership = output(topics.roomMembership());
        sent = output(topics.messageSent());
        fanout = output(topics.fanout());
        rejected = output(topics.messageRejected());
    }

    @AfterEach
    void nothingElseWasEmitted() {
        try {
            assertThat(membership.readKeyValuesToList()).as("unread membership events").isEmpty();
            assertThat(sent.readKeyValuesToList()).as("unread sent messages").isEmpty();
            assertThat(fanout.readKeyValuesToList()).as("unread fan-out").isEmpty();
            assertThat(rejected.readKeyValuesToList()).as("unread rejections").isEmpty();
            assertThat(driver.producedTopicNames()).isSubsetOf(topics.roomMembership().name(),
                    topics.messageSent().name(), topics.fanout().name(), topics.messageRejected().name(),
                    "natter-topologies-" + RoomTopology.ROOM_STATE_STORE + "-changelog");
        } finally {
            driver.close();
        }
    }

    // --- rooms ---

    @Test
    void createsRoomWithActorAsOwnerAndDedupedMembers() {
        send("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob", "alice", "bob")));

        assertThat(readMembership()).containsExactly(KeyValue.pair("r1", membershipEvent("chat.room.created.v1", "c1",
                new RoomCreated("r1", "Lobby", RoomVisibility.PUBLIC, "alice", List.of("alice", "bob"), REGION))));
        assertThat(room("r1")).isEqualTo(new RoomState("r1", "Lobby", RoomVisibility.PUBLIC, "alice",
                List.of("alice", "bob"), REGION, NOW, 0L, null, 0L));
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
                List.of("alice", "bob"), REGION, NOW, 3L, NOW, 3L));
        assertThat(room("r2").getLastSeq()).isEqualTo(2L);
    }

    @Test
    void givesSentAndFanoutTheSameNewMessageId() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("m1", "alice", message("r1", "one", null));
        send("m2", "alice", message("r1", "two", null));

        List<ChatMessageSent> sentValues = sent.readValuesToList();
        List<ChatFanout> fanoutValues = fanout.readValuesToList();
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

    @Test
    void refusesSendWithAttachmentsUntilTheyAreSupported() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("m1", "alice", new SendMessageRequested("r1", "see file", "a-1", List.of("att-1")));

        assertThat(readRejected()).containsExactly(rejection("m1", "alice", "r1", RejectionCode.UNSUPPORTED_COMMAND,
                "attachments is not supported yet", "a-1"));
    }

    @Test
    void rejectsEditAndDeleteAsUnsupported() {
        createRoom("r1", "alice", RoomVisibility.PUBLIC);

        send("e1", "alice", new EditMessageRequested("r1", "msg-1", "fixed"));
        send("d1", "alice", new DeleteMessageRequested("r1", "msg-1"));

        assertThat(readRejected()).containsExactly(
                rejection("e1", "alice", "r1", RejectionCode.UNSUPPORTED_COMMAND, "editing messages is not supported yet", null),
                rejection("d1", "alice", "r1", RejectionCode.UNSUPPORTED_COMMAND, "deleting messages is not supported yet", null));
    }

    // --- envelopes, headers, failures ---

    @Test
    void fillsEveryEnvelopeWithRandomEventIds() {
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, REGION);
        startDriver(builder);
        Instant before = Instant.now();

        send("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of()));
        send("m1", "alice", message("r1", "hi", null));
        send("m2", "bob", message("r1", "hi", null));

        RoomMembershipEvent created = membership.readValue();
        ChatMessageSent message = sent.readValue();
        ChatFanout fanned = fanout.readValue();
        CommandRejected refused = rejected.readValue();
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
    void propagatesIncomingHeadersToEveryOutput() {
        Header traceparent = new RecordHeader("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));

        sendWithHeaders(command("c1", "alice", new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of())),
                traceparent);
        sendWithHeaders(command("m1", "alice", message("r1", "hi", null)), traceparent);
        sendWithHeaders(command("m2", "bob", message("r1", "hi", null)), traceparent);

        List<TestRecord<String, ?>> outputs = new ArrayList<>();
        outputs.addAll(membership.readRecordsToList());
        outputs.addAll(sent.readRecordsToList());
        outputs.addAll(fanout.readRecordsToList());
        outputs.addAll(rejected.readRecordsToList());
        assertThat(outputs).hasSize(4).allSatisfy(record ->
                assertThat(record.headers().toArray()).containsExactly(traceparent));
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
        assertThat(membership.readValue().getPayload()).isInstanceOf(RoomCreated.class);
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

    private RoomState room(String roomId) {
        KeyValueStore<String, RoomState> store = driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE);
        return store.get(roomId);
    }

    private static RoomMembershipEvent membershipEvent(String eventType, String commandId, Object payload) {
        return new RoomMembershipEvent(eventType, ID, NOW, REGION, Envelopes.SCHEMA_VERSION, commandId, payload);
    }

    private static ChatMessage chat(String roomId, String sender, String content, long seq, String clientMsgId) {
        return new ChatMessage(ID, roomId, sender, content, NOW, seq, clientMsgId, List.of());
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
                Envelopes.SCHEMA_VERSION, new Rejection(commandId, actor, roomId, code.name(), reason, clientMsgId, ORIGIN, null, null)));
    }

    /** Reads a topic, records its event ids and masks them so records compare whole. */
    private List<KeyValue<String, RoomMembershipEvent>> readMembership() {
        return masked(membership, e -> {
            eventIds(e.getEventId());
            return RoomMembershipEvent.newBuilder(e).setEventId(ID).build();
        });
    }

    private List<KeyValue<String, ChatMessageSent>> readSent() {
        return masked(sent, e -> {
            eventIds(e.getEventId());
            return ChatMessageSent.newBuilder(e).setEventId(ID).setPayload(maskMessageId(e.getPayload())).build();
        });
    }

    private List<KeyValue<String, ChatFanout>> readFanout() {
        return masked(fanout, e -> {
            eventIds(e.getEventId());
            Fanout payload = Fanout.newBuilder(e.getPayload())
                    .setEvent(maskMessageId((ChatMessage) e.getPayload().getEvent())).build();
            return ChatFanout.newBuilder(e).setEventId(ID).setPayload(payload).build();
        });
    }

    private List<KeyValue<String, CommandRejected>> readRejected() {
        return masked(rejected, e -> {
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

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }
}
