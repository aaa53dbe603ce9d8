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
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RegionStatusDeclared;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fence in region {@code us} (peer {@code eu}): while eu declares us DOWN, us refuses local commands of rooms
 * homed here with REGION_FENCED and leaves mirrored ones to eu; after eu declares us UP, each partition judges
 * again only once its replica applied eu's membership records up to the point eu had when it said UP.
 */
class RegionFenceTopologyTest {
    /** When eu declared us UP in these tests (epoch millis): names the declaration. */
    private static final long UP_AT = NOW.toEpochMilli() + 1_000;
    private static final String FENCED_MESSAGE =
            "region us is fenced: eu declared it down; reconnect to eu and resend with the same clientMsgId";

    @TempDir
    Path stateDir;

    private final RegionFence fence = new RegionFence(US);
    private Topics topics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> localCommands;
    private TestInputTopic<String, RoomCommand> euCommands;
    private TestInputTopic<String, RoomMembershipEvent> euMembership;
    private TestInputTopic<String, RegionStatus> regionStatus;
    private TopologyOutputs outputs;

    @BeforeEach
    void startDriver() {
        topics = new Topics(new InMemorySchemaRegistry(), true);
        driver = RegionTestRecords.driver(topics, fence, stateDir);
        localCommands = input(topics.messageRequested());
        euCommands = input(topics.messageRequested().mirroredFrom(EU));
        euMembership = input(topics.roomMembership().mirroredFrom(EU));
        regionStatus = input(topics.regionStatus());
        outputs = new TopologyOutputs(driver, topics);

        // r1 is homed here, created before the outage.
        localCommands.pipeInput("r1", command("c0", "alice", US, US_EDGE,
                new CreateRoomRequested("r1", "Lobby", RoomVisibility.PUBLIC, List.of("bob"))));
        assertThat(outputs.membership.readValuesToList()).hasSize(1);
    }

    @AfterEach
    void nothingElseWasEmitted() {
        outputs.assertNothingElseEmittedAndClose();
    }

    @Test
    void refusesALocalCommandOfARoomHomedHereWhileThePeerDeclaresThisRegionDown() {
        fence.declaredDown(EU);

        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "buffered", "a-1")));

        assertThat(outputs.rejected.readKeyValuesToList()).containsExactly(KeyValue.pair("alice", rejectedEvent("id-2",
                new Rejection("c1", "alice", "r1", "REGION_FENCED", FENCED_MESSAGE, "a-1", US_EDGE, null, null, 0))));
        assertThat(room("r1").getLastSeq()).isZero();
        assertThat(replicaOffset()).isNull();
    }

    @Test
    void refusesALocalCreateWhileFencedSoNoRoomIsHomedInARegionDeclaredDown() {
        fence.declaredDown(EU);

        localCommands.pipeInput("r9", command("c1", "alice", US, US_EDGE,
                new CreateRoomRequested("r9", "New", RoomVisibility.PUBLIC, List.of())));

        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode(), r -> r.getPayload().getRoomId())
                .containsExactly(tuple("REGION_FENCED", "r9"));
        assertThat(room("r9")).isNull();
    }

    @Test
    void ignoresAMirroredCommandOfARoomHomedHereWhileFencedLeavingItToThePeer() {
        fence.declaredDown(EU);

        euCommands.pipeInput("r1", command("c1", "bob", EU, EU_EDGE, send("r1", "from eu", "b-1")));

        assertThat(room("r1").getLastSeq()).isZero();
    }

    @Test
    void doesNotReHomeARoomOfARegionItDeclaredDownWhileThatRegionFencesIt() {
        euMembership.pipeInput(stamped("r2", membershipEvent(new RoomCreated("r2", "r2", RoomVisibility.PUBLIC, "alice",
                List.of("alice"), EU)), 0));
        declare(EU, RegionAvailability.DOWN);
        fence.declaredDown(EU);

        localCommands.pipeInput("r2", command("c1", "alice", US, US_EDGE, send("r2", "hi", "a-1")));

        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode()).containsExactly("REGION_FENCED");
        assertThat(room("r2").getHomeRegion()).isEqualTo(EU);
        assertThat(room("r2").getEpoch()).isZero();
    }

    @Test
    void judgesAsBeforeWhileNoPeerHasSaidAnythingOfThisRegion() {
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "hi", "a-1")));

        assertThat(outputs.sent.readValuesToList())
                .extracting(s -> s.getPayload().getSeq(), s -> s.getPayload().getEpoch())
                .containsExactly(tuple(1L, 0));
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
    }

    @Test
    void staysFencedAfterUpUntilTheCatchUpPointIsKnown() {
        fence.declaredDown(EU);
        fence.declaredUp(EU, UP_AT);

        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "early", "a-1")));

        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode()).containsExactly("REGION_FENCED");
        assertThat(fence.state()).isEqualTo(RegionFence.State.UNFENCING);
    }

    @Test
    void liftsTheFenceOnlyOnceTheReplicaAppliedThePeersReHomesWrittenBeforeUp() {
        euMembership.pipeInput(stamped("r2", membershipEvent(new RoomCreated("r2", "r2", RoomVisibility.PUBLIC, "alice",
                List.of("alice"), EU)), 3));
        fence.declaredDown(EU);
        fence.declaredUp(EU, UP_AT);
        // eu's membership partition ended at offset 7 when it said UP: its re-home of r1 is there.
        fence.unfenceTargets(EU, Map.of(0, 7L));

        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "too early", "a-1")));
        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode()).containsExactly("REGION_FENCED");

        euMembership.pipeInput(stamped("r1", membershipEvent(new RoomRehomed("r1", EU, 1, 1L, US)), 7));
        localCommands.pipeInput("r1", command("c2", "alice", US, US_EDGE, send("r1", "now eu's", "a-2")));
        // r1 is eu's now: left to eu (the command reaches it through MirrorMaker), nothing emitted here.
        assertThat(room("r1")).extracting(RoomState::getHomeRegion, RoomState::getEpoch).containsExactly(EU, 1);

        // A room still homed here is judged again, and an older stamp delivered again does not move the mark back.
        euMembership.pipeInput(stamped("r2", membershipEvent(new RoomCreated("r2", "r2", RoomVisibility.PUBLIC, "alice",
                List.of("alice"), EU)), 3));
        assertThat(replicaOffset()).isEqualTo(7L);
        localCommands.pipeInput("r3", command("c3", "alice", US, US_EDGE,
                new CreateRoomRequested("r3", "After", RoomVisibility.PUBLIC, List.of())));
        assertThat(outputs.membership.readValuesToList()).extracting(RoomMembershipEvent::getPayload)
                .containsExactly(new RoomCreated("r3", "After", RoomVisibility.PUBLIC, "alice", List.of("alice"), US));
        assertThat(fence.state()).isEqualTo(RegionFence.State.OPEN);
    }

    @Test
    void anEmptyPeerPartitionUnfencesAtOnce() {
        failOverAndBackWithAnEmptyPeerPartition();

        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "hi", "a-1")));

        assertThat(outputs.sent.readValuesToList()).extracting(s -> s.getPayload().getSeq()).containsExactly(1L);
        assertThat(outputs.fanout.readValuesToList()).hasSize(1);
    }

    @Test
    void anUpAlreadyCaughtUpWithDoesNotFenceAgainWhenReadAfterARestartButANewerUpDoes() {
        failOverAndBackWithAnEmptyPeerPartition();
        localCommands.pipeInput("r1", command("c1", "alice", US, US_EDGE, send("r1", "caught up", "a-1")));
        assertThat(outputs.sent.readValuesToList()).extracting(s -> s.getPayload().getSeq()).containsExactly(1L);

        // A restart reads the same UP from eu's compacted topic and does not know the catch-up point yet; the
        // partition remembers (changelogged) that it caught up with this UP, so it judges at once.
        fence.declaredUp(EU, UP_AT);
        localCommands.pipeInput("r1", command("c2", "alice", US, US_EDGE, send("r1", "after restart", "a-2")));
        assertThat(outputs.sent.readValuesToList()).extracting(s -> s.getPayload().getSeq()).containsExactly(2L);

        // A later failover and UP is another declaration: fenced until its own catch-up point is reached.
        fence.declaredDown(EU);
        fence.declaredUp(EU, UP_AT + 60_000);
        localCommands.pipeInput("r1", command("c3", "alice", US, US_EDGE, send("r1", "second up", "a-3")));
        assertThat(outputs.rejected.readValuesToList())
                .extracting(r -> r.getPayload().getCode()).containsExactly("REGION_FENCED");
        assertThat(outputs.fanout.readValuesToList()).hasSize(2);
    }

    /** eu declared us DOWN, then UP at {@link #UP_AT}, with its membership partition 0 empty at the UP. */
    private void failOverAndBackWithAnEmptyPeerPartition() {
        fence.declaredDown(EU);
        fence.declaredUp(EU, UP_AT);
        fence.unfenceTargets(EU, Map.of(0, -1L));
    }

    @Test
    void decodesTheRegionStatusTheOperatorWritesWithoutThePeersRegistry() {
        RegionStatus status = new RegionStatus("chat.region.status.v1", "st-1", NOW, EU, Envelopes.SCHEMA_VERSION,
                new RegionStatusDeclared(US, RegionAvailability.DOWN, "ops", "broker lost"));
        byte[] bytes = topics.regionStatus().valueSerde().serializer().serialize(topics.regionStatus().name(), status);

        assertThat(PeerStatusReader.decode(bytes)).isEqualTo(status);
    }

    // --- helpers ---

    private void declare(String region, RegionAvailability status) {
        regionStatus.pipeInput(region, regionStatus(region, status));
    }

    /** A mirrored record as MirrorMaker writes it: stamped with its offset on eu's cluster. */
    private static TestRecord<String, RoomMembershipEvent> stamped(String key, RoomMembershipEvent value, long upstream) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplicaProcessor.UPSTREAM_OFFSET_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(upstream).array());
        return new TestRecord<>(key, value, headers, NOW);
    }

    private static RoomMembershipEvent membershipEvent(Object payload) {
        return new RoomMembershipEvent("chat.room.event.v1", "ev-" + payload.hashCode(), NOW, EU,
                Envelopes.SCHEMA_VERSION, null, payload);
    }

    private RoomState room(String roomId) {
        KeyValueStore<String, RoomState> store = driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE);
        return store.get(roomId);
    }

    private Long replicaOffset() {
        KeyValueStore<String, Long> store = driver.getKeyValueStore(RoomTopology.REPLICA_OFFSETS_STORE);
        return store.get(EU);
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return RegionTestRecords.input(driver, topic);
    }
}
