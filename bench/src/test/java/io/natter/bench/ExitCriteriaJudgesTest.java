package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pure verdicts of ./bench/exit-criteria: what passes, what fails, and the figure printed with it. */
class ExitCriteriaJudgesTest {
    private static final CopyLedger.Summary COMPLETE =
            new CopyLedger.Summary(4000, 4000, 0, 0, 0, 4000, 40000, 40000, 36000, 0, 0, 0, 0, 0, 0, 0, 0);

    private static LoadReport report(CopyLedger.Summary counts, Percentiles delivery, Map<String, Long> errors,
            LoadReport.Stall stall) {
        return new LoadReport("", "running stack", "Xrun", 200, 20, 1, 64, 1, stall == null ? 0 : 1, 0, 5, 20,
                counts, 1800, 2000, delivery, Percentiles.NONE, Percentiles.NONE, Percentiles.NONE, errors, Map.of(),
                Map.of(), List.of(), 0, null, stall, List.of());
    }

    @Test
    void deliveryPassesWhenEveryCopyArrivedOnceAndP95IsBelowTheBound() {
        CriterionResult result = DeliveryCheck.judge(report(COMPLETE, new Percentiles(40000, 20, 42.4, 58.8, 80,
                102.9), Map.of(), null), 150);
        assertThat(result).isEqualTo(CriterionResult.pass(
                "message visible to all room members, intra-region p95 < 150 ms",
                "p95 42.4 ms < 150 ms (p50 20.0, p99 58.8, max 102.9); C=200 R=20 M=1: 4000 messages, 40000 of 40000 "
                        + "copies received, 0 lost, 0 duplicate, 0 refused, 0 timed out and never delivered, 0 unanswered"));
    }

    @Test
    void deliveryFailsOnASlowP95OrALostCopyOrARefusal() {
        Percentiles fast = new Percentiles(40000, 20, 42, 58, 80, 100);
        assertThat(DeliveryCheck.judge(report(COMPLETE, new Percentiles(40000, 90, 151, 200, 300, 400), Map.of(),
                null), 150).figure()).startsWith("p95 151.0 ms >= 150 ms");
        assertThat(DeliveryCheck.judge(report(COMPLETE, new Percentiles(40000, 90, 151, 200, 300, 400), Map.of(),
                null), 150).verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        CopyLedger.Summary lost =
                new CopyLedger.Summary(4000, 4000, 0, 0, 0, 4000, 40000, 39999, 35999, 1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(DeliveryCheck.judge(report(lost, fast, Map.of(), null), 150).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        CopyLedger.Summary refused =
                new CopyLedger.Summary(4000, 3990, 10, 0, 0, 3990, 39900, 39900, 35910, 0, 0, 0, 0, 0, 0, 0, 0);
        CriterionResult result = DeliveryCheck.judge(report(refused, fast, Map.of("RATE_LIMITED", 10L), null), 150);
        assertThat(result.verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(result.figure()).endsWith("10 refused, 0 timed out and never delivered, 0 unanswered; ERROR frames, "
                + "warm-up included: RATE_LIMITED×10");
        CopyLedger.Summary nothing = new CopyLedger.Summary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(DeliveryCheck.judge(report(nothing, Percentiles.NONE, Map.of(), null), 150).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
    }

    @Test
    void stallPassesWhenTheReaderIsClosed4008AndTheOthersStayedFast() {
        LoadReport.Stall stall = new LoadReport.Stall(new Percentiles(12000, 18, 30, 41.5, 60, 90),
                new Percentiles(8000, 17, 29, 40, 55, 80), List.of(12.5),
                List.of(new LoadReport.StalledClient("Xs-s0", "closed 4008 slow consumer: resume from your last seq",
                        2600, 2500)));
        CriterionResult result = StallCheck.judge(report(COMPLETE, new Percentiles(40000, 20, 42, 58.8, 80, 99),
                Map.of(), stall), 150);
        assertThat(result).isEqualTo(CriterionResult.pass(
                "backpressure: a stalled reader is closed with 4008, the others' p99 meanwhile < 150 ms",
                "stalled reader closed 4008 slow consumer: resume from your last seq (4008 at 12.50 s of the window, "
                        + "after reading 2500 messages); the others' p99 before the close 41.5 ms < 150 ms (12000 "
                        + "copies), after it 40.0 ms, whole run 58.8 ms, 0 lost; C=200 R=20, 64-byte messages"));
    }

    @Test
    void stallFailsWhenTheReaderStaysOpenOrTheOthersSlowDownOrNothingWasMeasuredBeforeTheClose() {
        Percentiles fast = new Percentiles(12000, 18, 30, 41.5, 60, 90);
        LoadReport.StalledClient open = new LoadReport.StalledClient("Xs-s0", "still open", 0, 0);
        LoadReport.StalledClient closed = new LoadReport.StalledClient("Xs-s0", "closed 4008 slow consumer", 0, 0);
        CriterionResult stillOpen = StallCheck.judge(report(COMPLETE, fast, Map.of(),
                new LoadReport.Stall(fast, Percentiles.NONE, List.of(), List.of(open))), 150);
        assertThat(stillOpen.verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(stillOpen.figure()).contains("stalled reader still open (the edge's 4008 counter did not move")
                .endsWith("(not closed: give it more --stall-duration-s or --stall-message-bytes)");
        assertThat(StallCheck.judge(report(COMPLETE, fast, Map.of(), new LoadReport.Stall(
                new Percentiles(100, 100, 140, 151, 160, 170), Percentiles.NONE, List.of(3.0), List.of(closed))), 150)
                .verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(StallCheck.judge(report(COMPLETE, fast, Map.of(), new LoadReport.Stall(
                Percentiles.NONE, fast, List.of(0.0), List.of(closed))), 150).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(StallCheck.judge(report(COMPLETE, fast, Map.of(), null), 150))
                .isEqualTo(CriterionResult.fail(StallCheck.criterion(150), "the run had no stalled client"));
    }

    @Test
    void floodPassesWhenTheExcessIsRateLimitedAndTheMemberGotExactlyTheAckedMessages() {
        Set<String> acked = ids(1, 41);
        CriterionResult result = FloodCheck.judge(new FloodCheck.Outcome(100, acked, 59, Map.of(), 0, acked, 0.12),
                20, 40);
        assertThat(result).isEqualTo(CriterionResult.pass(FloodCheck.criterion(),
                "100 sends at once: 41 ACKed (allowance 43 = burst 40 + 20/s × 0.12 s), 59 RATE_LIMITED, 0 other "
                        + "errors, 0 unanswered; the other member got 41 copies (0 not ACKed, 0 ACKed missing)"));
    }

    @Test
    void floodFailsWhenMoreThanTheAllowanceIsWrittenOrNothingIsLimitedOrTheCopiesDiffer() {
        Set<String> many = ids(1, 60);
        assertThat(FloodCheck.judge(new FloodCheck.Outcome(100, many, 40, Map.of(), 0, many, 0.1), 20, 40).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        Set<String> all = ids(1, 100);
        assertThat(FloodCheck.judge(new FloodCheck.Outcome(100, all, 0, Map.of(), 0, all, 10), 20, 40).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        Set<String> acked = ids(1, 40);
        Set<String> withExtra = ids(1, 41);
        CriterionResult extra = FloodCheck.judge(new FloodCheck.Outcome(100, acked, 60, Map.of(), 0, withExtra, 0.1),
                20, 40);
        assertThat(extra.verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(extra.figure()).endsWith("the other member got 41 copies (1 not ACKed, 0 ACKed missing)");
        assertThat(FloodCheck.judge(new FloodCheck.Outcome(100, acked, 59, Map.of("TIMEOUT", 1), 0, acked, 0.1), 20,
                40).figure()).contains("1 other errors {TIMEOUT=1}");
        assertThat(FloodCheck.judge(new FloodCheck.Outcome(100, acked, 59, Map.of(), 1, acked, 0.1), 20, 40)
                .verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
    }

    @Test
    void presenceOnDisconnectPassesWithinGracePlusTwoSeconds() {
        CriterionResult result = PresenceCheck.judgeDisconnect(new PresenceCheck.Timings(OptionalDouble.of(12),
                OptionalDouble.of(1105), OptionalDouble.of(3000)), Duration.ofSeconds(1));
        assertThat(result).isEqualTo(CriterionResult.pass(PresenceCheck.disconnectCriterion(),
                "ONLINE 12 ms after connecting; OFFLINE 1105 ms after a normal close, 3000 ms after an abrupt TCP "
                        + "drop (bound 3000 ms = grace 1000 ms + 2 s)"));
    }

    @Test
    void presenceOnDisconnectFailsWhenOfflineIsLateOrNeverComes() {
        Duration grace = Duration.ofSeconds(1);
        assertThat(PresenceCheck.judgeDisconnect(new PresenceCheck.Timings(OptionalDouble.of(12),
                OptionalDouble.of(3001), OptionalDouble.of(1000)), grace).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        CriterionResult never = PresenceCheck.judgeDisconnect(new PresenceCheck.Timings(OptionalDouble.of(12),
                OptionalDouble.of(1000), OptionalDouble.empty()), grace);
        assertThat(never.verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(never.figure()).contains("never after an abrupt TCP drop");
        assertThat(PresenceCheck.judgeDisconnect(new PresenceCheck.Timings(OptionalDouble.empty(),
                OptionalDouble.of(1000), OptionalDouble.of(1000)), grace).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
    }

    @Test
    void presenceOnTtlExpiryPassesWithinTtlPlusFiveSecondsOfTheKill() {
        Duration ttl = Duration.ofSeconds(10);
        assertThat(PresenceCheck.judgeTtl(OptionalDouble.of(5), OptionalDouble.of(12400), ttl, 4242))
                .isEqualTo(CriterionResult.pass(PresenceCheck.ttlCriterion(), "edge pid 4242 killed with SIGKILL: "
                        + "OFFLINE 12400 ms later (bound 15000 ms = TTL 10000 ms + 5 s)"));
        assertThat(PresenceCheck.judgeTtl(OptionalDouble.of(5), OptionalDouble.of(15001), ttl, 4242).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(PresenceCheck.judgeTtl(OptionalDouble.empty(), OptionalDouble.empty(), ttl, 4242).figure())
                .startsWith("the user never showed ONLINE; ");
        assertThat(PresenceCheck.ttlSkipped().verdict()).isEqualTo(CriterionResult.Verdict.SKIPPED);
    }

    @Test
    void crossRegionPassesWhenEveryCopyArrivedAndP95IsBelowTheBound() {
        // Percentiles come from an HdrHistogram of microseconds (3 significant digits), as the load report's.
        List<Double> latencies = IntStream.rangeClosed(1, 100).mapToObj(n -> n * 10.0).toList();
        assertThat(CrossRegionCheck.judge(new CrossRegionCheck.Outcome(20, 5, latencies), 2000)).isEqualTo(
                CriterionResult.pass("cross-region replication p95 < 2000 ms", "p95 950.3 ms < 2000 ms (p50 500.2, "
                        + "max 1000.4); 100 of 100 copies arrived (20 messages to 5 receivers on the peer edge)"));
        assertThat(CrossRegionCheck.judge(new CrossRegionCheck.Outcome(20, 5, latencies.subList(0, 99)), 2000)
                .verdict()).isEqualTo(CriterionResult.Verdict.FAIL);
        List<Double> slow = IntStream.rangeClosed(1, 100).mapToObj(n -> n * 25.0).toList();
        assertThat(CrossRegionCheck.judge(new CrossRegionCheck.Outcome(20, 5, slow), 2000).verdict())
                .isEqualTo(CriterionResult.Verdict.FAIL);
        assertThat(CrossRegionCheck.skipped(2000).verdict()).isEqualTo(CriterionResult.Verdict.SKIPPED);
    }

    private static Set<String> ids(int first, int last) {
        return IntStream.rangeClosed(first, last).mapToObj(n -> "f" + n).collect(Collectors.toCollection(TreeSet::new));
    }
}
