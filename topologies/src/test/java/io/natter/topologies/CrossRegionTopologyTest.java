package io.natter.topologies;

import static io.natter.topologies.RegionTestRecords.EU;
import static io.natter.topologies.RegionTestRecords.EU_EDGE;
import static io.natter.topologies.RegionTestRecords.NOW;
import static io.natter.topologies.RegionTestRecords.US;
import static io.natter.topologies.RegionTestRecords.US_EDGE;
import static io.natter.topologies.RegionTestRecords.command;
import static io.natter.topologies.RegionTestRecords.regionStatus;
import static io.natter.topologies.RegionTestRecords.rejectedEvent;
import static io.natter.topologies.RegionTestRecords.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.natter.schemas.Envelopes;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RehomeRoom;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The home-region rules in region {@code us} with peer {@code eu}: what is judged here, what is left to the home,
 * what the replica applies, and the failover and planned-move re-homes.
 */
class CrossRegionTopologyTest {

    @TempDir
    Path stateDir;

    private Topics topics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> localCommands;
    private TestInputTopic<String, RoomCommand> euCommands;
    private TestInputTopic<String, RoomMembershipEvent> euMembership;
    private TestInputTopic<String, ChatMessageSent> euSent;
    private TestInputTopic<String, ChatMessageEdited> euEdited;
    private TestInputTopic<String, ChatMessageDeleted> euDeleted;
    private TestInputTopic<String, RegionStatus> regionStatus;
    private TopologyOutputs outputs;

    @BeforeEach
    void startDriver() {
        topics = new Topics(new InMemorySchemaRegistry(), true);
        driver = RegionTestRecords.driver(topics, RegionFence.open(US), stateDir);
        localCommands = input(topics.messageRequested());
        euCommands = input(topics.messageRequested().mirroredFrom(EU));
        euMembership = input(topics.roomMembership().mirroredFrom(EU));
        euSent = input(topics.messageSent().mirroredFrom(EU));
        euEdited = input(topics.messageEdited().mirroredFrom(EU));
        euDeleted = input(topics.messageDeleted().mirroredFrom(EU));
        regionStatus = input(topics.regionStatus());
        outputs = new TopologyOutputs(driver, topics);
    }

    @AfterEach
    void nothingElseWasEmitted() {
        // Nothing is ever written to a mirrored topic or to the region status from the topology.
        outputs.assertNothingElseEmittedAndClose();
    }

    // --- judging: home rooms from both topics, foreign-homed ignored, unknown rooms ---

    @Test
    void judgesARoomHomedHereFromLocalAndMirroredCommands() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob"))));
        assertThat(outputs.membership.readValuesToList()).extracting(RoomMembershipEvent::getPayload)
                .containsExactly(new RoomCreated("r1", "Lobby", RoomVisibility.PUBLIC, "alice", List.of("alice", "bob"), US));

        euCommands.pipeInput("r1", command("c2", "bob", EU, EU_EDGE, send("r1", "from eu", "b-1")));
        localCommands.pipeInput("r1", command("c3", "alice", US, US_EDGE, send("r1", "from us", "a-1")));

        List<ChatMessage> messages = outputs.sent.readValuesToList().stream().map(ChatMessageSent::getPayload).toList();
        assertThat(messages).extracting(ChatMessage::getSeq, ChatMessage::getSenderId, ChatMessage::getContent,
                ChatMessage::getEpoch).containsExactly(tuple(1L, "bob", "from eu", 0), tuple(2L, "alice", "from us", 0));
        // The eu sender's origin rides the fan-out, so eu's edges answer it once MirrorMaker carries it there.
        assertThat(outputs.fanout.readValuesToList())
                .extracting(f -> f.getPayload().getCommandId(), f -> f.getPayload().getOrigin())
                .containsExactly(tuple("c2", EU_EDGE), tuple("c3", US_EDGE));
        assertThat(room("r1").getLastSeq()).isEqualTo(2L);
    }

    @Test
    void leavesCommandsOfARoomHomedElsewhereToItsHome() {
        replicaRoom("r2", List.of("alice", "bob"));

        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE, send("r2", "hi", "a-1")));
        euCommands.pipeInput("r2", command("c2", "bob", EU, EU_EDGE, send("r2", "hi", "b-1")));
        localCommands.pipeInput("r2", command("c3", "carol", US, US_EDGE, new JoinRoomRequested("r2")));

        // Nothing is emitted: eu judges all three (the local ones once MirrorMaker carries them there).
        assertThat(room("r2")).isEqualTo(replicaState("r2", List.of("alice", "bob"), 0, 0, 1));
    }

    @Test
    void judgesAnUnknownRoomOnlyWhereTheCommandWasIssued() {
        euCommands.pipeInput("r3", command("c1", "dora", EU, EU_EDGE,
                new CreateRoomRequested("r3", "Elsewhere", RoomVisibility.PUBLIC, List.of())));
        euCommands.pipeInput("r4", command("c2", "dora", EU, EU_EDGE, send("r4", "hi", "d-1")));
        assertThat(room("r3")).as("a mirrored create is eu's to judge").isNull();

        localCommands.pipeInput("r4", command("c3", "alice", US, US_EDGE, send("r4", "hi", "a-1")));
        localCommands.pipeInput("r3", command("c4", "alice", US, US_EDGE,
                new CreateRoomRequested("r3", "Here", RoomVisibility.PRIVATE, List.of())));

        assertThat(outputs.rejected.readKeyValuesToList()).containsExactly(KeyValue.pair("alice", rejectedEvent("id-1",
                new Rejection("c3", "alice", "r4", "ROOM_NOT_FOUND", "room r4 not found", "a-1", US_EDGE, null, null, 0))));
        assertThat(outputs.membership.readValuesToList()).extracting(RoomMembershipEvent::getPayload)
                .containsExactly(new RoomCreated("r3", "Here", RoomVisibility.PRIVATE, "alice", List.of("alice"), US));
        assertThat(room("r3").getHomeRegion()).isEqualTo(US);
    }

    // --- replica ---

    @Test
    void appliesMirroredEventsOfARoomHomedElsewhereToTheStores() {
        replicaRoom("r2", List.of("alice"));
        euMembership.pipeInput("r2", membershipEvent(EU, null, new MemberJoined("r2", "bob", "bob")));
        ChatMessage first = message("m1", "r2", "alice", "one", 1, "a-1", 0);
        ChatMessage second = message("m2", "r2", "bob", "two", 2, "b-1", 0);
        euSent.pipeInput("r2", sentEvent(first));
        euSent.pipeInput("r2", sentEvent(second));
        euSent.pipeInput("r2", sentEvent(second)); // MirrorMaker is at-least-once
        euEdited.pipeInput("r2", new ChatMessageEdited("chat.message.edited.v1", "e1", NOW, EU, Envelopes.SCHEMA_VERSION,
                new MessageEdit("m1", "r2", 1L, "alice", "one!", NOW.plusSeconds(1), 0)));
        euDeleted.pipeInput("r2", new ChatMessageDeleted("chat.message.deleted.v1", "d1", NOW, EU, Envelopes.SCHEMA_VERSION,
                new MessageDeletion("m2", "r2", 2L, "bob", NOW.plusSeconds(2), 0)));

        assertThat(room("r2")).isEqualTo(RoomState.newBuilder(replicaState("r2", List.of("alice", "bob"), 2, 0, 1))
                .setLastActivityAt(NOW).setMessageCount(2).build());
        assertThat(history("r2")).containsExactly(
                new HistoryEntry(message("m1", "r2", "alice", "one!", 1, "a-1", 0), NOW.plusSeconds(1), null, null),
                new HistoryEntry(message("m2", "r2", "bob", "", 2, "b-1", 0), null, NOW.plusSeconds(2), "bob"));
        assertThat(receipt("r2", "alice", "a-1")).isEqualTo(new SendReceipt("m1", 1L, NOW, 0));
        assertThat(receipt("r2", "bob", "b-1")).isEqualTo(new SendReceipt("m2", 2L, NOW, 0));
    }

    @Test
    void keepsMessagesThatOvertakeTheirRoomCreatedAndCountsThemInWhenItArrives() {
        euSent.pipeInput("r2", sentEvent(message("m1", "r2", "alice", "one", 1, "a-1", 0)));
        euSent.pipeInput("r2", sentEvent(message("m2", "r2", "alice", "two", 2, null, 0)));
        assertThat(room("r2")).isNull();

        replicaRoom("r2", List.of("alice"));
        euSent.pipeInput("r2", sentEvent(message("m3", "r2", "alice", "three", 3, null, 0)));

        assertThat(room("r2")).isEqualTo(RoomState.newBuilder(replicaState("r2", List.of("alice"), 3, 0, 1))
                .setLastActivityAt(NOW).setMessageCount(3).build());
        assertThat(history("r2")).extracting(e -> e.getMessage().getMessageId()).containsExactly("m1", "m2", "m3");
        assertThat(receipt("r2", "alice", "a-1")).isEqualTo(new SendReceipt("m1", 1L, NOW, 0));
    }

    @Test
    void ignoresMirroredChangesOfARoomHomedHere() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of())));
        outputs.membership.readValuesToList();
        RoomState before = room("r1");

        euMembership.pipeInput("r1", membershipEvent(EU, null, new MemberJoined("r1", "mallory", "mallory")));
        euMembership.pipeInput("r1", membershipEvent(EU, null,
                new RoomCreated("r1", "Other", RoomVisibility.PUBLIC, "zed", List.of("zed"), "zz")));
        euSent.pipeInput("r1", sentEvent(message("m9", "r1", "zed", "forged", 1, null, 0)));

        assertThat(room("r1")).isEqualTo(before);
        assertThat(history("r1")).isEmpty();
    }

    // --- failover ---

    @Test
    void reHomesARoomLazilyWhenItsHomeIsDeclaredDownContinuingItsSeqAndDeduplicatingRetries() {
        replicatedRoomWithTwoMessages();
        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE, send("r2", "before", "a-9")));
        assertThat(outputs.sent.readValuesToList()).as("eu is still up: not judged here").isEmpty();

        declare(EU, RegionAvailability.DOWN);
        // The retry of a send eu accepted and MirrorMaker replicated: answered as a duplicate, after the re-home.
        localCommands.pipeInput("r2", command("c2", "alice", US, US_EDGE, send("r2", "one", "a-1")));
        localCommands.pipeInput("r2", command("c3", "bob", US, US_EDGE, send("r2", "three", "b-3")));

        assertThat(outputs.membership.readKeyValuesToList()).containsExactly(KeyValue.pair("r2",
                new RoomMembershipEvent("chat.room.rehomed.v1", "id-1", NOW, US, Envelopes.SCHEMA_VERSION, null,
                        new RoomRehomed("r2", US, 1, 3L, EU))));
        assertThat(outputs.rejected.readKeyValuesToList()).containsExactly(KeyValue.pair("alice", rejectedEvent("id-2",
                new Rejection("c2", "alice", "r2", "DUPLICATE", "already accepted as seq 1", "a-1", US_EDGE, "m1", 1L, 0))));
        assertThat(outputs.sent.readValuesToList()).extracting(ChatMessageSent::getPayload)
                .containsExactly(message("id-3", "r2", "bob", "three", 3, "b-3", 1));
        assertThat(outputs.fanout.readValuesToList()).extracting(f -> f.getPayload().getRecipients())
                .containsExactly(List.of("alice", "bob"));
        assertThat(room("r2")).isEqualTo(RoomState.newBuilder(replicaState("r2", List.of("alice", "bob"), 3, 1, 3))
                .setHomeRegion(US).setLastActivityAt(NOW).setMessageCount(3).build());
    }

    @Test
    void keepsAttachmentRegistrationsOfAReplicaRoomSoSendsNamingThemWorkAfterFailover() {
        replicatedRoomWithTwoMessages();
        AttachmentMetadata attachment = new AttachmentMetadata("att-1", "r2", "alice", "r2/att-1", "a.png", "image/png",
                10L, "sha256:abc", NOW);
        euCommands.pipeInput("r2", command("reg-1", "alice", EU, EU_EDGE, new RegisterAttachment("r2", attachment)));
        KeyValueStore<String, AttachmentMetadata> attachments = driver.getKeyValueStore(RoomTopology.ATTACHMENTS_STORE);
        assertThat(attachments.get(StoreKeys.attachment("r2", "att-1"))).isEqualTo(attachment);

        declare(EU, RegionAvailability.DOWN);
        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE,
                new SendMessageRequested("r2", "see file", "a-7", List.of("att-1"))));

        assertThat(outputs.membership.readValuesToList()).extracting(RoomMembershipEvent::getPayload)
                .containsExactly(new RoomRehomed("r2", US, 1, 3L, EU));
        assertThat(outputs.sent.readValuesToList())
                .extracting(s -> s.getPayload().getSeq(), s -> s.getPayload().getAttachments())
                .containsExactly(tuple(3L, List.of(new AttachmentRef("att-1", "a.png", "image/png", 10L))));
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
    }

    @Test
    void aMirroredCommandNeverTriggersAReHome() {
        replicatedRoomWithTwoMessages();
        declare(EU, RegionAvailability.DOWN);

        euCommands.pipeInput("r2", command("c1", "bob", EU, EU_EDGE, send("r2", "late", "b-9")));

        assertThat(room("r2").getHomeRegion()).isEqualTo(EU);
    }

    @Test
    void aRegionDeclaredUpAgainIsNoLongerTakenOver() {
        replicatedRoomWithTwoMessages();
        declare(EU, RegionAvailability.DOWN);
        declare(EU, RegionAvailability.UP);

        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE, send("r2", "hi", "a-5")));

        assertThat(room("r2").getHomeRegion()).isEqualTo(EU);
        KeyValueStore<String, ?> statuses = driver.getKeyValueStore(RoomTopology.REGION_STATUS_STORE);
        assertThat(statuses.get(EU)).isNotNull();
    }

    @Test
    void ignoresReplicatedEventsOfTheOldEpochAfterTheReHome() {
        replicatedRoomWithTwoMessages();
        declare(EU, RegionAvailability.DOWN);
        localCommands.pipeInput("r2", command("c1", "bob", US, US_EDGE, send("r2", "three", "b-3")));
        outputs.membership.readValuesToList();
        outputs.sent.readValuesToList();
        outputs.fanout.readValuesToList();
        RoomState after = room("r2");

        // eu's unreplicated seq 3 shows up late (eu came back): superseded by us's seq 3 of epoch 1.
        euSent.pipeInput("r2", sentEvent(message("m3", "r2", "alice", "lost", 3, "a-3", 0)));
        euSent.pipeInput("r2", sentEvent(message("m2", "r2", "bob", "two", 2, "b-1", 0)));
        euMembership.pipeInput("r2", membershipEvent(EU, null, new MemberJoined("r2", "carol", "alice")));
        euEdited.pipeInput("r2", new ChatMessageEdited("chat.message.edited.v1", "e1", NOW, EU, Envelopes.SCHEMA_VERSION,
                new MessageEdit("m1", "r2", 1L, "alice", "edited in eu", NOW, 0)));

        assertThat(room("r2")).isEqualTo(after);
        assertThat(history("r2")).extracting(e -> e.getMessage().getSeq(), e -> e.getMessage().getContent(),
                e -> e.getMessage().getEpoch()).containsExactly(tuple(1L, "one", 0), tuple(2L, "two", 0),
                tuple(3L, "three", 1));
        assertThat(receipt("r2", "alice", "a-3")).isNull();
    }

    // --- planned move and fail-back ---

    @Test
    void rehomeRoomMovesARoomHomedHereToThePeerUnderTheNextEpoch() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of())));
        localCommands.pipeInput("r1", command("c2", "alice", US, US_EDGE, send("r1", "one", "a-1")));
        outputs.membership.readValuesToList();
        outputs.sent.readValuesToList();
        outputs.fanout.readValuesToList();

        localCommands.pipeInput("r1", command("c3", "mallory", US, US_EDGE, new RehomeRoom("r1", EU)));
        localCommands.pipeInput("r1", command("c4", RoomCommandJudge.OPERATOR, US, US_EDGE, new RehomeRoom("r1", "ap")));
        localCommands.pipeInput("r1", command("c5", RoomCommandJudge.OPERATOR, US, US_EDGE, new RehomeRoom("r1", US)));
        localCommands.pipeInput("r1", command("c6", RoomCommandJudge.OPERATOR, US, US_EDGE, new RehomeRoom("r1", EU)));
        localCommands.pipeInput("r1", command("c7", "alice", US, US_EDGE, send("r1", "after", "a-2")));

        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCommandId(), r -> r.getPayload().getCode())
                .containsExactly(tuple("c3", "UNSUPPORTED_COMMAND"), tuple("c4", "UNKNOWN_REGION"),
                        tuple("c5", "ALREADY_HOME"));
        assertThat(outputs.membership.readValuesToList()).extracting(RoomMembershipEvent::getCommandId,
                RoomMembershipEvent::getPayload).containsExactly(tuple("c6", new RoomRehomed("r1", EU, 1, 2L, US)));
        assertThat(room("r1")).extracting(RoomState::getHomeRegion, RoomState::getEpoch, RoomState::getEpochFromSeq,
                RoomState::getLastSeq).containsExactly(EU, 1, 2L, 1L);
        // c7 is eu's to judge now: nothing emitted for it here.
    }

    @Test
    void failBackSupersedesThisRegionsUnreplicatedMessagesAndFollowsTheNewHome() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob"))));
        for (int i = 1; i <= 3; i++) {
            localCommands.pipeInput("r1", command("s" + i, "alice", US, US_EDGE, send("r1", "us-" + i, "a-" + i)));
        }
        outputs.membership.readValuesToList();
        outputs.sent.readValuesToList();
        outputs.fanout.readValuesToList();

        // eu took over after seq 2 (seq 3 never reached it) and sequenced its own seq 3 under epoch 1.
        euMembership.pipeInput("r1", membershipEvent(EU, null, new RoomRehomed("r1", EU, 1, 3L, US)));
        euSent.pipeInput("r1", sentEvent(message("e3", "r1", "bob", "eu-3", 3, "b-1", 1)));
        euMembership.pipeInput("r1", membershipEvent(EU, null, new RoomRehomed("r1", EU, 1, 3L, US)));
        localCommands.pipeInput("r1", command("c9", "alice", US, US_EDGE, send("r1", "us-4", "a-4")));
        // The client resends its lost seq 3: eu's to judge; the superseded receipt no longer answers it here.
        assertThat(receipt("r1", "alice", "a-3")).isNull();

        assertThat(history("r1")).extracting(e -> e.getMessage().getMessageId() != null, e -> e.getMessage().getSeq(),
                e -> e.getMessage().getContent(), e -> e.getMessage().getEpoch())
                .containsExactly(tuple(true, 1L, "us-1", 0), tuple(true, 2L, "us-2", 0), tuple(true, 3L, "eu-3", 1));
        assertThat(room("r1")).extracting(RoomState::getHomeRegion, RoomState::getEpoch, RoomState::getEpochFromSeq,
                RoomState::getLastSeq, RoomState::getMessageCount).containsExactly(EU, 1, 3L, 3L, 3L);
        assertThat(receipt("r1", "bob", "b-1")).isEqualTo(new SendReceipt("e3", 3L, NOW, 1));
    }

    @Test
    void failBackKeepsNewEpochMessagesThatOvertakeTheirReHome() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob"))));
        for (int i = 1; i <= 3; i++) {
            localCommands.pipeInput("r1", command("s" + i, "alice", US, US_EDGE, send("r1", "us-" + i, "a-" + i)));
        }
        outputs.membership.readValuesToList();
        outputs.sent.readValuesToList();
        outputs.fanout.readValuesToList();

        // eu's seq 3 and 4 of epoch 1 arrive before eu's RoomRehomed (membership is mirrored separately).
        euSent.pipeInput("r1", sentEvent(message("e3", "r1", "bob", "eu-3", 3, "b-1", 1)));
        euSent.pipeInput("r1", sentEvent(message("e4", "r1", "bob", "eu-4", 4, null, 1)));
        assertThat(receipt("r1", "alice", "a-3")).as("us's unreplicated seq 3 is replaced").isNull();
        euMembership.pipeInput("r1", membershipEvent(EU, null, new RoomRehomed("r1", EU, 1, 3L, US)));
        euSent.pipeInput("r1", sentEvent(message("e5", "r1", "bob", "eu-5", 5, null, 1)));

        assertThat(history("r1")).extracting(e -> e.getMessage().getSeq(), e -> e.getMessage().getContent(),
                e -> e.getMessage().getEpoch()).containsExactly(tuple(1L, "us-1", 0), tuple(2L, "us-2", 0),
                tuple(3L, "eu-3", 1), tuple(4L, "eu-4", 1), tuple(5L, "eu-5", 1));
        assertThat(room("r1")).extracting(RoomState::getHomeRegion, RoomState::getEpoch, RoomState::getLastSeq,
                RoomState::getMessageCount).containsExactly(EU, 1, 5L, 5L);
        assertThat(receipt("r1", "bob", "b-1")).isEqualTo(new SendReceipt("e3", 3L, NOW, 1));
    }

    @Test
    void aPlannedMoveKeepsOldEpochMessagesThatArriveAfterTheReHome() {
        replicaRoom("r2", List.of("alice"));
        euSent.pipeInput("r2", sentEvent(message("m1", "r2", "alice", "one", 1, null, 0)));
        // eu moved the room here after seq 2; the re-home overtook seq 2 on its way (another topic).
        euMembership.pipeInput("r2", membershipEvent(EU, "op-1", new RoomRehomed("r2", US, 1, 3L, EU)));
        euSent.pipeInput("r2", sentEvent(message("m2", "r2", "alice", "two", 2, null, 0)));
        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE, send("r2", "three", null)));

        assertThat(outputs.sent.readValuesToList())
                .extracting(s -> s.getPayload().getSeq(), s -> s.getPayload().getEpoch())
                .containsExactly(tuple(3L, 1));
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
        assertThat(history("r2")).extracting(e -> e.getMessage().getSeq()).containsExactly(1L, 2L, 3L);
        assertThat(room("r2")).extracting(RoomState::getHomeRegion, RoomState::getLastSeq, RoomState::getMessageCount)
                .containsExactly(US, 3L, 3L);
    }

    @Test
    void aRoomCreatedInBothRegionsWithinTheLagGoesToTheSmallerRegion() {
        localCommands.pipeInput("r5", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r5", "Mine", RoomVisibility.PUBLIC, List.of())));
        localCommands.pipeInput("r5", command("c2", "alice", US, US_EDGE, send("r5", "mine", "a-1")));
        outputs.membership.readValuesToList();
        outputs.sent.readValuesToList();
        outputs.fanout.readValuesToList();

        euMembership.pipeInput("r5", membershipEvent(EU, "e-c1",
                new RoomCreated("r5", "Theirs", RoomVisibility.PUBLIC, "dora", List.of("dora"), EU)));

        assertThat(room("r5")).isEqualTo(RoomState.newBuilder(replicaState("r5", List.of("dora"), 0, 0, 1))
                .setName("Theirs").setOwnerId("dora").build());
        assertThat(history("r5")).isEmpty();
        assertThat(receipt("r5", "alice", "a-1")).isNull();
    }

    // --- helpers ---

    /** eu's room r2 (alice, bob) with two messages, replicated here. */
    private void replicatedRoomWithTwoMessages() {
        replicaRoom("r2", List.of("alice", "bob"));
        euSent.pipeInput("r2", sentEvent(message("m1", "r2", "alice", "one", 1, "a-1", 0)));
        euSent.pipeInput("r2", sentEvent(message("m2", "r2", "bob", "two", 2, "b-1", 0)));
    }

    private void replicaRoom(String roomId, List<String> members) {
        euMembership.pipeInput(roomId, membershipEvent(EU, "e-" + roomId,
                new RoomCreated(roomId, roomId, RoomVisibility.PUBLIC, members.getFirst(), members, EU)));
    }

    private static RoomState replicaState(String roomId, List<String> members, long lastSeq, int epoch, long fromSeq) {
        return new RoomState(roomId, roomId, RoomVisibility.PUBLIC, members.getFirst(), members, EU, NOW, lastSeq, null,
                0L, epoch, fromSeq);
    }

    private void declare(String region, RegionAvailability status) {
        regionStatus.pipeInput(region, regionStatus(region, status));
    }

    private static ChatMessage message(String id, String roomId, String sender, String content, long seq,
                                       String clientMsgId, int epoch) {
        return new ChatMessage(id, roomId, sender, content, NOW, seq, clientMsgId, List.of(), epoch);
    }

    private static ChatMessageSent sentEvent(ChatMessage message) {
        return new ChatMessageSent("chat.message.sent.v1", "ev-" + message.getMessageId(), NOW, EU,
                Envelopes.SCHEMA_VERSION, message);
    }

    private static RoomMembershipEvent membershipEvent(String region, String commandId, Object payload) {
        return new RoomMembershipEvent("chat.room.event.v1", "ev-" + commandId, NOW, region, Envelopes.SCHEMA_VERSION,
                commandId, payload);
    }

    private RoomState room(String roomId) {
        KeyValueStore<String, RoomState> store = driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE);
        return store.get(roomId);
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

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return RegionTestRecords.input(driver, topic);
    }
}
