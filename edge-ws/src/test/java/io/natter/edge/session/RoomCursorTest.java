package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.error.UnavailableException;
import io.natter.edge.frames.ServerFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RoomCursorTest {
    private static final String ROOM = "r1";
    private static final Instant TS = Instant.parse("2026-03-01T10:00:00Z");

    private final RoomCursor cursor = new RoomCursor(ROOM, 3);
    private final List<ServerFrame> delivered = new ArrayList<>();

    @Test
    void withoutResumeDeliveryStartsAtTheFirstLiveMessageAndDropsDuplicates() {
        assertThat(live(7).fetch()).isNull();
        live(8);
        live(8);
        live(7);
        live(9);

        assertThat(delivered).isEqualTo(messages(7, 9));
    }

    @Test
    void resumeReplaysHistoryPageByPageThenTheLiveMessagesBufferedMeanwhileWithoutDuplicates() {
        RoomCursor.Step start = cursor.resume(2);
        assertThat(start).isEqualTo(new RoomCursor.Step(List.of(), new RoomCursor.Fetch(1, 2, 3), null));
        // Live traffic during the replay: overlaps history (5, 6) and runs past it (9, 10).
        live(5);
        live(6);
        live(10);
        live(9);
        assertThat(delivered).isEmpty();

        // Page 1 reaches 5, so the buffered 6 follows at once; the next read starts after it.
        RoomCursor.Step page1 = fetched(1, stored(3, 5), true, 1);
        assertThat(page1.fetch()).isEqualTo(new RoomCursor.Fetch(1, 6, 3));
        RoomCursor.Step page2 = fetched(1, stored(7, 9), true, 1);
        assertThat(page2.fetch()).isEqualTo(new RoomCursor.Fetch(1, 10, 3));
        RoomCursor.Step page3 = fetched(1, List.of(), false, 1);
        assertThat(page3.fetch()).isNull();
        live(11);
        live(10);

        assertThat(delivered).isEqualTo(messages(3, 11));
        assertThat(cursor.cursor()).isEqualTo(11);
    }

    @Test
    void aLiveGapIsFilledFromHistoryWhileLaterLiveMessagesWait() {
        live(4);
        RoomCursor.Step gap = live(7);
        assertThat(gap.fetch()).isEqualTo(new RoomCursor.Fetch(1, 4, 3));
        assertThat(live(8).fetch()).as("one fill at a time").isNull();

        RoomCursor.Step filled = fetched(1, stored(5, 7), true, 1);
        assertThat(filled.fetch()).isNull();
        live(9);

        assertThat(delivered).isEqualTo(messages(4, 9));
    }

    @Test
    void aLongGapIsFilledOverSeveralPages() {
        live(1);
        assertThat(live(9).fetch()).isEqualTo(new RoomCursor.Fetch(1, 1, 3));
        assertThat(fetched(1, stored(2, 4), true, 1).fetch()).isEqualTo(new RoomCursor.Fetch(1, 4, 3));
        assertThat(fetched(1, stored(5, 7), true, 1).fetch()).isEqualTo(new RoomCursor.Fetch(1, 7, 2));
        assertThat(fetched(1, stored(8, 9), true, 1).fetch()).isNull();

        assertThat(delivered).isEqualTo(messages(1, 9));
    }

    @Test
    void anEditWaitsForItsMessageAndAnEditOfADeliveredMessageGoesAtOnce() {
        live(1);
        live(3);
        live(new RoomCursor.Update(3, edited(3)));
        live(new RoomCursor.Update(1, edited(1)));
        fetched(1, stored(2, 2), true, 1);

        assertThat(delivered).isEqualTo(List.of(message(1), edited(1), message(2), message(3), edited(3)));
    }

    @Test
    void anEditDuringAReplayFollowsTheReplayedMessage() {
        cursor.resume(0);
        live(new RoomCursor.Update(2, edited(2)));
        fetched(1, stored(1, 3), false, 1);

        assertThat(delivered).isEqualTo(List.of(message(1), message(2), edited(2), message(3)));
    }

    @Test
    void historyThatNoLongerHoldsTheGapReportsTruncationAndDeliversFromTheOldestRetained() {
        cursor.resume(2);
        live(9);
        fetched(1, stored(6, 8), false, 6);

        List<ServerFrame> expected = new ArrayList<>();
        expected.add(new ServerFrame.Error("HISTORY_TRUNCATED",
                "room r1 no longer retains the messages after seq 2; the oldest retained is 6", ROOM, 6L));
        expected.addAll(messages(6, 9));
        assertThat(delivered).isEqualTo(expected);
    }

    @Test
    void aFailedReadTellsTheClientAndDeliversWhatWaitedSoLiveDeliveryGoesOn() {
        live(1);
        live(4);
        live(5);
        RoomCursor.Step failed = cursor.fetchFailed(1, new UnavailableException("query API down"));
        collect(failed);
        live(6);

        assertThat(delivered).hasSize(5);
        assertThat(delivered.get(1)).isEqualTo(new ServerFrame.Error("UNAVAILABLE",
                "room r1: messages after seq 1 could not be read (query API down); RESUME from 1 to retry", ROOM));
        assertThat(delivered).containsSubsequence(message(1), message(4), message(5), message(6));
    }

    @Test
    void resultsOfASupersededReadAreIgnored() {
        live(1);
        live(3);
        assertThat(fetched(7, stored(2, 2), false, 1).frames()).isEmpty();
        assertThat(delivered).isEqualTo(messages(1, 1));
    }

    @Test
    void aResumeBehindLiveDeliveryAsksForTheMissingEarlierSeqsOnly() {
        live(10);
        live(11);
        RoomCursor.Step step = cursor.resume(6);

        assertThat(step).isEqualTo(new RoomCursor.Step(List.of(), null, new RoomCursor.Backfill(6, 9)));
        // A second resume from an already covered seq changes nothing.
        assertThat(cursor.resume(8)).isEqualTo(new RoomCursor.Step(List.of(), null, null));
        live(12);
        assertThat(delivered).isEqualTo(messages(10, 12));
    }

    @Test
    void aResumeAheadOfTheCursorSkipsWhatTheClientAlreadyHas() {
        live(3);
        assertThat(cursor.resume(5).frames()).isEmpty();
        live(5);
        live(6);

        assertThat(delivered).isEqualTo(List.of(message(3), message(6)));
    }

    @Test
    void liveMessagesArrivingWhileAResumeIsCheckedWaitForItsReplay() {
        cursor.expectResume();
        live(6);
        live(new RoomCursor.Update(2, edited(2)));
        live(7);
        assertThat(delivered).isEmpty();

        assertThat(collect(cursor.resume(3)).fetch()).isEqualTo(new RoomCursor.Fetch(1, 3, 3));
        fetched(1, stored(4, 6), false, 1);

        List<ServerFrame> expected = new ArrayList<>(List.of(edited(2)));
        expected.addAll(messages(4, 7));
        assertThat(delivered).isEqualTo(expected);
    }

    @Test
    void aRefusedResumeReleasesTheHeldLiveMessagesAsIfNoResumeHadCome() {
        cursor.expectResume();
        live(new RoomCursor.Update(1, edited(1)));
        live(5);
        live(6);
        RoomCursor.Step cancelled = collect(cursor.cancelResume());

        assertThat(cancelled.fetch()).isNull();
        assertThat(delivered).isEqualTo(List.of(edited(1), message(5), message(6)));
        assertThat(cursor.cancelResume().frames()).isEmpty();
    }

    @Test
    void aResumeOnceLiveDeliveryRunsHoldsNothing() {
        live(3);
        cursor.expectResume();
        live(4);
        assertThat(delivered).isEqualTo(messages(3, 4));
    }

    @Test
    void aReplayedDeletedMessageKeepsItsSeq() {
        cursor.resume(0);
        ServerFrame tombstone = new ServerFrame.MessageDeleted(ROOM, "m2", 2, null, null);
        fetched(1, List.of(sequenced(1), new RoomCursor.Sequenced(2, tombstone), sequenced(3)), false, 1);
        live(4);

        assertThat(delivered).isEqualTo(List.of(message(1), tombstone, message(3), message(4)));
    }

    @Test
    void interleavedReplayAndLiveDeliverEverySeqExactlyOnceInOrder() {
        // Replay from 0 of 40 messages in pages of 3 while live copies of 20..50 arrive between pages.
        cursor.resume(0);
        long live = 20;
        long after = 0;
        RoomCursor.Fetch fetch = new RoomCursor.Fetch(1, 0, 3);
        while (fetch != null) {
            live(live++);
            live(live++);
            after = fetch.afterSeq();
            long last = Math.min(after + fetch.limit(), 40);
            fetch = fetched(fetch.epoch(), stored(after + 1, last), last < 40, 1).fetch();
        }
        while (live <= 50) {
            live(live++);
        }

        assertThat(delivered).isEqualTo(messages(1, 50));
    }

    private RoomCursor.Step live(long seq) {
        return live(sequenced(seq));
    }

    private RoomCursor.Step live(RoomCursor.Item item) {
        return collect(cursor.live(item));
    }

    private RoomCursor.Step fetched(long epoch, List<RoomCursor.Sequenced> page, boolean hasMore, long oldestSeq) {
        return collect(cursor.fetched(epoch, page, hasMore, oldestSeq));
    }

    @Test
    void aNewEpochSeenLiveIsAnnouncedOnceBeforeItsFirstMessageAndOlderEpochItemsAreDropped() {
        collect(cursor.live(sequenced(4), 0, 1));
        collect(cursor.live(sequenced(5), 0, 1));
        collect(cursor.live(epochMessage(6, 1), 1, 6));
        collect(cursor.live(sequenced(6), 0, 1));
        collect(cursor.live(epochMessage(7, 1), 1, 6));

        assertThat(delivered).containsExactly(message(4), message(5), new ServerFrame.Epoch(ROOM, 1, 6),
                epochMessage(6, 1).frame(), epochMessage(7, 1).frame());
    }

    @Test
    void aNewEpochStartingBelowWhatTheSessionHadRewindsToItsFromSeq() {
        collect(cursor.live(sequenced(4), 0, 1));
        collect(cursor.live(sequenced(5), 0, 1));
        collect(cursor.live(sequenced(6), 0, 1));
        // Seqs 5 and 6 of epoch 0 were never replicated: epoch 1 continues at 5.
        collect(cursor.live(epochMessage(5, 1), 1, 5));

        assertThat(delivered).containsExactly(message(4), message(5), message(6), new ServerFrame.Epoch(ROOM, 1, 5),
                epochMessage(5, 1).frame());
        assertThat(cursor.cursor()).isEqualTo(5);
    }

    @Test
    void aResumeFromAnOlderEpochGetsEpochFirstAndReplaysFromFromSeq() {
        RoomCursor.Step start = collect(cursor.resume(9, 0, 1, 7));
        assertThat(start).isEqualTo(new RoomCursor.Step(List.of(new ServerFrame.Epoch(ROOM, 1, 7)),
                new RoomCursor.Fetch(1, 6, 3), null));
        // The same epoch (or none given) changes nothing.
        RoomCursor other = new RoomCursor(ROOM, 3);
        assertThat(other.resume(9, 1, 1, 7)).isEqualTo(new RoomCursor.Step(List.of(), new RoomCursor.Fetch(1, 9, 3), null));
        RoomCursor unknown = new RoomCursor(ROOM, 3);
        assertThat(unknown.resume(9, null, 1, 7)).isEqualTo(new RoomCursor.Step(List.of(), new RoomCursor.Fetch(1, 9, 3),
                null));
    }

    private static RoomCursor.Sequenced epochMessage(long seq, int epoch) {
        return new RoomCursor.Sequenced(seq, new ServerFrame.Message(ROOM, "e" + epoch + "m" + seq, "alice",
                "text " + seq, TS, seq, epoch, List.of()));
    }

    private RoomCursor.Step collect(RoomCursor.Step step) {
        delivered.addAll(step.frames());
        return step;
    }

    private static List<RoomCursor.Sequenced> stored(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(RoomCursorTest::sequenced).toList();
    }

    private static RoomCursor.Sequenced sequenced(long seq) {
        return new RoomCursor.Sequenced(seq, message(seq));
    }

    private static List<ServerFrame> messages(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(RoomCursorTest::message).map(ServerFrame.class::cast).toList();
    }

    private static ServerFrame message(long seq) {
        return new ServerFrame.Message(ROOM, "m" + seq, "alice", "text " + seq, TS, seq, List.of());
    }

    private static ServerFrame edited(long seq) {
        return new ServerFrame.MessageEdited(ROOM, "m" + seq, seq, "edited " + seq, "alice", TS);
    }
}
