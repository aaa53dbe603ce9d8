package io.natter.topologies.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.schemas.Envelopes;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.topologies.Retention;
import io.natter.topologies.RoomCommandJudge;
import io.natter.topologies.RoomTopology;
import io.natter.topologies.ScanRecordingStore;
import io.natter.topologies.StoreKeys;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.topologies.TopologiesConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query service over the stores the production topology fills, driven by TopologyTestDriver. */
class RoomQueriesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Retention RETENTION = new Retention(Duration.ofHours(1), 5, Duration.ofHours(2));

    @TempDir
    Path stateDir;

    private final AtomicLong ids = new AtomicLong();
    private TopologyTestDriver driver;
    private TestInputTopic<String, RoomCommand> commands;
    private RoomQueries queries;

    @BeforeEach
    void startDriver() {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);
        StreamsBuilder builder = new StreamsBuilder();
        RoomTopology.build(builder, topics, "us", RETENTION, Clock.fixed(NOW, ZoneOffset.UTC),
                () -> "id-" + ids.incrementAndGet());
        Properties props = new Properties();
        props.putAll(TopologiesConfig.fromEnv(Map.of(TopologiesConfig.STATE_DIR.name(), stateDir.toString()))
                .streamsConfig());
        driver = new TopologyTestDriver(builder.build(props), props, NOW);
        commands = driver.createInputTopic(topics.messageRequested().name(),
                topics.messageRequested().keySerde().serializer(), topics.messageRequested().valueSerde().serializer());
        queries = new RoomQueries(driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE),
                driver.getKeyValueStore(RoomTopology.HISTORY_STORE), RETENTION.historyMaxMessages());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void answersRoomStateWithTheOldestRetainedSeq() {
        create("r1", "alice", RoomVisibility.PRIVATE, "bob");
        sendMessages("r1", "bob", 7);

        assertThat(queries.room("r1")).contains(new RoomView("r1", "r1", "private", "alice", List.of("alice", "bob"),
                "us", NOW, 7, NOW, 7, 3));
    }

    @Test
    void givesLastSeqPlusOneAsOldestSeqOfARoomWithoutMessages() {
        create("r1", "alice", RoomVisibility.PUBLIC);

        assertThat(queries.room("r1")).contains(new RoomView("r1", "r1", "public", "alice", List.of("alice"), "us", NOW,
                0, null, 0, 1));
        assertThat(queries.messages("r1", MessageQuery.newest(10)))
                .contains(new MessagePage("r1", List.of(), false, 1, 0));
    }

    @Test
    void knowsNothingOfAMissingRoom() {
        assertThat(queries.room("nowhere")).isEmpty();
        assertThat(queries.messages("nowhere", MessageQuery.newest(10))).isEmpty();
        assertThat(queries.roomsOf("alice")).isEmpty();
    }

    @Test
    void pagesBackwardsFromTheNewestInAscendingOrder() {
        create("r1", "alice", RoomVisibility.PUBLIC);
        sendMessages("r1", "alice", 7);

        assertThat(page("r1", MessageQuery.newest(2))).isEqualTo(new Page(List.of(6L, 7L), true));
        assertThat(page("r1", MessageQuery.before(6, 2))).isEqualTo(new Page(List.of(4L, 5L), true));
        assertThat(page("r1", MessageQuery.before(4, 2))).isEqualTo(new Page(List.of(3L), false));
        assertThat(page("r1", MessageQuery.before(3, 2))).isEqualTo(new Page(List.of(), false));
        assertThat(page("r1", MessageQuery.before(0, 2))).isEqualTo(new Page(List.of(), false));
        assertThat(page("r1", MessageQuery.before(100, 10))).isEqualTo(new Page(List.of(3L, 4L, 5L, 6L, 7L), false));
    }

    @Test
    void pagesForwardsAfterASeqStartingAtTheOldestRetained() {
        create("r1", "alice", RoomVisibility.PUBLIC);
        List<String> sent = sendMessages("r1", "alice", 7);

        assertThat(page("r1", MessageQuery.after(0, 2))).isEqualTo(new Page(List.of(3L, 4L), true));
        assertThat(page("r1", MessageQuery.after(4, 2))).isEqualTo(new Page(List.of(5L, 6L), true));
        assertThat(page("r1", MessageQuery.after(5, 10))).isEqualTo(new Page(List.of(6L, 7L), false));
        assertThat(page("r1", MessageQuery.after(7, 10))).isEqualTo(new Page(List.of(), false));
        assertThat(page("r1", MessageQuery.after(Long.MAX_VALUE, 10))).isEqualTo(new Page(List.of(), false));
        MessagePage whole = queries.messages("r1", MessageQuery.after(4, 1)).orElseThrow();
        assertThat(whole.oldestSeq()).isEqualTo(3);
        assertThat(whole.lastSeq()).isEqualTo(7);
        assertThat(whole.messages()).containsExactly(
                new MessageView(sent.get(4), "r1", "alice", "m-5", NOW, 5, "c-5", List.of(), null, false));
    }

    @Test
    void scansABusyRoomFromTheOldestSeqItsCapCanHoldNotFromItsFirstKey() {
        create("r1", "alice", RoomVisibility.PUBLIC);
        sendMessages("r1", "alice", 12); // the cap is 5: 8..12 retained, 1..7 trimmed
        ScanRecordingStore<String, HistoryEntry> history =
                new ScanRecordingStore<>(driver.getKeyValueStore(RoomTopology.HISTORY_STORE));
        RoomQueries recorded = new RoomQueries(driver.getKeyValueStore(RoomTopology.ROOM_STATE_STORE), history,
                RETENTION.historyMaxMessages());

        MessagePage newest = recorded.messages("r1", MessageQuery.newest(10)).orElseThrow();
        assertThat(newest.messages()).extracting(MessageView::seq).containsExactly(8L, 9L, 10L, 11L, 12L);
        assertThat(newest.hasMore()).isFalse();
        assertThat(newest.oldestSeq()).isEqualTo(8);
        assertThat(recorded.messages("r1", MessageQuery.before(8, 10)).orElseThrow().messages()).isEmpty();
        assertThat(recorded.messages("r1", MessageQuery.after(0, 2)).orElseThrow().messages())
                .extracting(MessageView::seq).containsExactly(8L, 9L);
        assertThat(history.scanStarts()).as("no scan starts below seq 8, where the trimmed entries' tombstones lie")
                .isNotEmpty().allSatisfy(from -> assertThat(from).isGreaterThanOrEqualTo(StoreKeys.history("r1", 8)));
    }

    @Test
    void keepsRoomsApart() {
        create("r1", "alice", RoomVisibility.PUBLIC);
        create("r10", "alice", RoomVisibility.PUBLIC);
        sendMessages("r1", "alice", 2);
        sendMessages("r10", "alice", 3);

        assertThat(page("r1", MessageQuery.newest(10))).isEqualTo(new Page(List.of(1L, 2L), false));
        assertThat(page("r10", MessageQuery.after(0, 10))).isEqualTo(new Page(List.of(1L, 2L, 3L), false));
    }

    @Test
    void showsEditsAndDeletionsInHistory() {
        create("r1", "alice", RoomVisibility.PUBLIC, "bob");
        List<String> sent = sendMessages("r1", "bob", 3);
        command("e1", "bob", new EditMessageRequested("r1", sent.get(0), "edited"));
        command("d1", "alice", new DeleteMessageRequested("r1", sent.get(1)));

        MessagePage page = queries.messages("r1", MessageQuery.newest(10)).orElseThrow();

        assertThat(page).isEqualTo(new MessagePage("r1", List.of(
                new MessageView(sent.get(0), "r1", "bob", "edited", NOW, 1, "c-1", List.of(), NOW, false),
                new MessageView(sent.get(1), "r1", "bob", "", NOW, 2, "c-2", List.of(), null, true),
                new MessageView(sent.get(2), "r1", "bob", "m-3", NOW, 3, "c-3", List.of(), null, false)),
                false, 1, 3));
    }

    @Test
    void servesTheAttachmentsOfRetainedMessages() {
        create("r1", "alice", RoomVisibility.PUBLIC);
        command("u1", "alice", new RegisterAttachment("r1", new AttachmentMetadata("att-1", "r1", "alice", "r1/att-1",
                "plan.pdf", "application/pdf", 2048L, null, NOW)));
        String messageId = "id-" + (ids.get() + 1);
        command("m1", "alice", new SendMessageRequested("r1", "", "c-1", List.of("att-1")));

        MessagePage page = queries.messages("r1", MessageQuery.newest(10)).orElseThrow();

        assertThat(page).isEqualTo(new MessagePage("r1", List.of(new MessageView(messageId, "r1", "alice", "", NOW, 1,
                "c-1", List.of(new MessageView.Attachment("att-1", "plan.pdf", "application/pdf", 2048)), null, false)),
                false, 1, 1));
    }

    @Test
    void listsTheRoomsOfAMemberByRoomId() {
        create("zeta", "alice", RoomVisibility.PRIVATE, "bob");
        create("alpha", "bob", RoomVisibility.PUBLIC);
        create("mid", "carol", RoomVisibility.PUBLIC);
        sendMessages("zeta", "bob", 2);

        assertThat(queries.roomsOf("bob")).containsExactly(
                new UserRoomView("alpha", "alpha", "public", "bob", 0, null, 0),
                new UserRoomView("zeta", "zeta", "private", "alice", 2, NOW, 2));
        assertThat(queries.roomsOf("nobody")).isEmpty();
    }

    @Test
    void capsTheLimitAndRefusesMalformedQueries() {
        assertThat(MessageQuery.parse(null, null, "10000")).isEqualTo(MessageQuery.newest(500));
        assertThat(MessageQuery.parse(null, null, null)).isEqualTo(MessageQuery.newest(50));
        assertThat(MessageQuery.parse("3", null, "20")).isEqualTo(MessageQuery.after(3, 20));
        assertThat(MessageQuery.parse(null, "9", null)).isEqualTo(MessageQuery.before(9, 50));
        assertThatThrownBy(() -> MessageQuery.parse("1", "9", null))
                .isInstanceOf(QueryException.InvalidRequest.class).hasMessage("give afterSeq or beforeSeq, not both");
        assertThatThrownBy(() -> MessageQuery.parse("x", null, null))
                .isInstanceOf(QueryException.InvalidRequest.class).hasMessage("afterSeq must be an integer, got 'x'");
        assertThatThrownBy(() -> MessageQuery.parse(null, "-1", null))
                .isInstanceOf(QueryException.InvalidRequest.class).hasMessage("beforeSeq must not be negative, got -1");
        assertThatThrownBy(() -> MessageQuery.parse(null, null, "0"))
                .isInstanceOf(QueryException.InvalidRequest.class).hasMessage("limit must be at least 1, got 0");
    }

    private record Page(List<Long> seqs, boolean hasMore) {}

    private Page page(String roomId, MessageQuery query) {
        MessagePage page = queries.messages(roomId, query).orElseThrow();
        return new Page(page.messages().stream().map(MessageView::seq).toList(), page.hasMore());
    }

    private void create(String roomId, String owner, RoomVisibility visibility, String... members) {
        command("create-" + roomId, owner, new CreateRoomRequested(roomId, roomId, visibility, List.of(members)));
    }

    /** Sends {@code count} messages {@code m-<seq>} with clientMsgId {@code c-<seq>}; returns their message ids. */
    private List<String> sendMessages(String roomId, String sender, int count) {
        long lastSeq = queries.room(roomId).orElseThrow().lastSeq();
        List<String> sent = new ArrayList<>();
        for (long seq = lastSeq + 1; seq <= lastSeq + count; seq++) {
            // The judge takes one id per message, RoomEvents one per event (sent, fan-out).
            sent.add("id-" + (ids.get() + 1));
            command("m-" + roomId + "-" + seq, sender, new SendMessageRequested(roomId, "m-" + seq, "c-" + seq, List.of()));
        }
        return sent;
    }

    private void command(String commandId, String actor, Object payload) {
        RoomCommand command = new RoomCommand("chat.message.requested.v1", "evt-" + commandId, NOW, "us",
                Envelopes.SCHEMA_VERSION, commandId, actor, new Origin("edge-1", null), payload);
        commands.pipeInput(RoomCommandJudge.roomIdOf(command), command);
    }
}
