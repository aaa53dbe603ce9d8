package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CopyLedgerTest {

    @Test
    void anAckedMessageEveryMemberReceivedOnceIsSettledWithNothingLost() {
        CopyLedger ledger = new CopyLedger(0);
        long id = ledger.register(1_000, 3, 0);
        assertThat(ledger.acked(id)).isEqualTo(1_000);
        for (int slot = 0; slot < 3; slot++) {
            assertThat(ledger.receivedByMember(id, slot)).isEqualTo(CopyLedger.Receipt.FIRST);
        }
        assertThat(ledger.summary()).isEqualTo(new CopyLedger.Summary(1, 1, 0, 0, 0, 1, 3, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(ledger.summary().settled()).isTrue();
    }

    @Test
    void missingCopiesOfAnAcceptedMessageAreLostAndRepeatsAreDuplicates() {
        CopyLedger ledger = new CopyLedger(0);
        long id = ledger.register(5, 4, 1);
        ledger.acked(id);
        ledger.receivedByMember(id, 1);
        ledger.receivedByMember(id, 2);
        assertThat(ledger.receivedByMember(id, 2)).isEqualTo(CopyLedger.Receipt.DUPLICATE);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary.expectedCopies()).isEqualTo(4);
        assertThat(summary.receivedCopies()).isEqualTo(2);
        assertThat(summary.receivedByOthers()).isEqualTo(1);
        assertThat(summary.lostCopies()).isEqualTo(2);
        assertThat(summary.duplicateCopies()).isEqualTo(1);
        assertThat(summary.settled()).isFalse();
    }

    @Test
    void aRefusedMessageOwesNoCopiesButATimedOutOneSomebodyReceivedWasAccepted() {
        CopyLedger ledger = new CopyLedger(0);
        long refused = ledger.register(1, 2, 0);
        long lateVerdict = ledger.register(2, 2, 0);
        assertThat(ledger.rejected(refused)).isEqualTo(1);
        assertThat(ledger.timedOut(lateVerdict)).isEqualTo(2);
        ledger.receivedByMember(lateVerdict, 1);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary).isEqualTo(new CopyLedger.Summary(2, 0, 1, 0, 0, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void aTimedOutMessageNobodyReceivedKeepsTheRunWaitingUntilTheDrainEnds() {
        CopyLedger ledger = new CopyLedger(0);
        long id = ledger.register(1, 2, 0);
        ledger.timedOut(id);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary).isEqualTo(new CopyLedger.Summary(1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(summary.settled()).isFalse();
    }

    @Test
    void aMessageWithoutAnswerOrCopiesIsUnansweredNotLost() {
        CopyLedger ledger = new CopyLedger(0);
        ledger.register(1, 3, 0);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary.unanswered()).isEqualTo(1);
        assertThat(summary.accepted()).isZero();
        assertThat(summary.lostCopies()).isZero();
        assertThat(summary.settled()).isFalse();
    }

    @Test
    void observersOweOneCopyOfEveryAcceptedMessageAndAreCountedApart() {
        CopyLedger ledger = new CopyLedger(2);
        long first = ledger.register(1, 1, 0);
        long second = ledger.register(2, 1, 0);
        ledger.acked(first);
        ledger.acked(second);
        ledger.receivedByMember(first, 0);
        ledger.receivedByMember(second, 0);
        ledger.receivedByObserver(first, 0);
        ledger.receivedByObserver(first, 1);
        ledger.receivedByObserver(second, 1);
        assertThat(ledger.receivedByObserver(second, 1)).isEqualTo(CopyLedger.Receipt.DUPLICATE);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary).isEqualTo(new CopyLedger.Summary(2, 2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 4, 3, 1, 1, 0, 0));
    }

    @Test
    void unknownIdsSlotsAndRepeatedAnswersAreCountedAndChangeNothing() {
        CopyLedger ledger = new CopyLedger(0);
        long id = ledger.register(7, 2, 0);
        assertThat(ledger.receivedByMember(99, 0)).isEqualTo(CopyLedger.Receipt.UNKNOWN);
        assertThat(ledger.receivedByMember(id, 2)).isEqualTo(CopyLedger.Receipt.UNKNOWN);
        assertThat(ledger.receivedByObserver(id, 0)).isEqualTo(CopyLedger.Receipt.UNKNOWN);
        assertThat(ledger.acked(-1)).isEqualTo(-1);
        assertThat(ledger.acked(id)).isEqualTo(7);
        assertThat(ledger.acked(id)).isEqualTo(-1);
        assertThat(ledger.rejected(id)).isEqualTo(-1);
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary.unknownCopies()).isEqualTo(4);
        assertThat(summary.duplicateAnswers()).isEqualTo(2);
        assertThat(summary.acked()).isEqualTo(1);
        assertThat(summary.receivedCopies()).isZero();
    }

    @Test
    void tracksMoreMessagesThanOneChunkAndRoomsWiderThanOneWord() {
        CopyLedger ledger = new CopyLedger(0);
        int messages = 70_000;
        for (int i = 0; i < messages; i++) {
            long id = ledger.register(i, 100, 99);
            ledger.acked(id);
            ledger.receivedByMember(id, 99);
            ledger.receivedByMember(id, 64);
        }
        CopyLedger.Summary summary = ledger.summary();
        assertThat(summary.messages()).isEqualTo(messages);
        assertThat(summary.receivedCopies()).isEqualTo(2L * messages);
        assertThat(summary.receivedByOthers()).isEqualTo(messages);
        assertThat(summary.lostCopies()).isEqualTo(98L * messages);
        assertThat(ledger.sentNanos(messages - 1)).isEqualTo(messages - 1);
    }
}
