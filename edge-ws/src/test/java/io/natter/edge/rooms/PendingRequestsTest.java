package io.natter.edge.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.edge.error.CommandRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {
    private final PendingRequests pending = new PendingRequests(Duration.ofSeconds(30));

    @AfterEach
    void stopSweeper() {
        pending.close();
    }

    @Test
    void aMembershipEventResolvesTheRequest() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        assertThat(pending.succeed("c1")).isTrue();
        assertThat(verdict).isCompleted();
        assertThat(verdict.isCompletedExceptionally()).isFalse();
        assertThat(pending.size()).isZero();
    }

    @Test
    void aRejectionFailsTheRequestWithItsCode() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        assertThat(pending.reject("c1", "ROOM_EXISTS", "room r1 exists", null, null)).isTrue();
        assertThat(verdict).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(CommandRejectedException.class)
                .withMessage("room r1 exists")
                .extracting(e -> ((CommandRejectedException) e).code()).isEqualTo("ROOM_EXISTS");
    }

    @Test
    void alreadyMemberCountsAsSuccess() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        assertThat(pending.reject("c1", "ALREADY_MEMBER", "already", null, null)).isTrue();
        assertThat(verdict).isCompletedWithValue(new Verdict.Done());
    }

    @Test
    void aSequencedSendCarriesItsIdAndSeq() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        assertThat(pending.sequenced("c1", "m1", 4)).isTrue();
        assertThat(pending.sequenced("c1", "m9", 9)).as("a second verdict changes nothing").isFalse();
        assertThat(verdict).isCompletedWithValue(new Verdict.Sequenced("m1", 4));
    }

    @Test
    void aDuplicateRejectionResolvesAsTheOriginalSend() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        assertThat(pending.reject("c1", "DUPLICATE", "already accepted", "m1", 4L)).isTrue();
        assertThat(verdict).isCompletedWithValue(new Verdict.Sequenced("m1", 4, 0, true));
    }

    @Test
    void verdictsForUnknownCommandsAreIgnored() {
        assertThat(pending.succeed("other")).isFalse();
        assertThat(pending.succeed(null)).isFalse();
        assertThat(pending.reject("other", "NOT_A_MEMBER", "x", null, null)).isFalse();
    }

    @Test
    void aRequestWithoutVerdictTimesOutOnceItsTimeoutStarted() {
        try (PendingRequests shortWait = new PendingRequests(Duration.ofMillis(50))) {
            timesOut(shortWait);
        }
    }

    private static void timesOut(PendingRequests shortWait) {
        CompletableFuture<Verdict> verdict = shortWait.register("c1");
        shortWait.startTimeout("c1");
        await().atMost(Duration.ofSeconds(5)).until(verdict::isDone);
        assertThat(verdict).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(TimeoutException.class);
        assertThat(shortWait.size()).isZero();
        assertThat(shortWait.succeed("c1")).isFalse();
    }

    @Test
    void aRequestWaitingForKafkaDoesNotTimeOutUntilItsTimeoutStarts() {
        try (PendingRequests shortWait = new PendingRequests(Duration.ofMillis(50))) {
            waitsForKafka(shortWait);
        }
    }

    private static void waitsForKafka(PendingRequests shortWait) {
        CompletableFuture<Verdict> buffered = shortWait.register("c1");
        CompletableFuture<Verdict> handedOff = shortWait.register("c2");
        shortWait.startTimeout("c2");
        await().atMost(Duration.ofSeconds(5)).until(handedOff::isDone);
        assertThat(buffered).as("still waiting after the other timed out").isNotDone();
        assertThat(shortWait.size()).isOne();

        shortWait.startTimeout("c1");
        await().atMost(Duration.ofSeconds(5)).until(buffered::isDone);
        assertThat(buffered).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(TimeoutException.class);
        assertThat(shortWait.size()).isZero();
    }

    @Test
    void startingTheTimeoutOfAResolvedRequestChangesNothing() {
        CompletableFuture<Verdict> verdict = pending.register("c1");
        pending.sequenced("c1", "m1", 1);
        pending.startTimeout("c1");
        pending.startTimeout("unknown");
        assertThat(verdict).isCompletedWithValue(new Verdict.Sequenced("m1", 1));
    }

    @Test
    void aRequestIsAnsweredOnceWhateverComesFirst() {
        try (PendingRequests shortWait = new PendingRequests(Duration.ofMillis(50))) {
            CompletableFuture<Verdict> answered = shortWait.register("c1");
            shortWait.startTimeout("c1");
            assertThat(shortWait.sequenced("c1", "m1", 1)).isTrue();
            // Holds through three deadlines' worth of sweeps.
            await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2))
                    .until(() -> answered.getNow(null) instanceof Verdict.Sequenced);
            assertThat(answered).as("the verdict stands after its deadline")
                    .isCompletedWithValue(new Verdict.Sequenced("m1", 1));

            CompletableFuture<Verdict> late = shortWait.register("c2");
            shortWait.startTimeout("c2");
            await().atMost(Duration.ofSeconds(5)).until(late::isDone);
            assertThat(shortWait.sequenced("c2", "m2", 2)).as("a verdict after the timeout is ignored").isFalse();
            assertThat(late.isCompletedExceptionally()).isTrue();

            CompletableFuture<Verdict> cancelled = shortWait.register("c3");
            cancelled.cancel(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> shortWait.size() == 0);
        }
    }
}
