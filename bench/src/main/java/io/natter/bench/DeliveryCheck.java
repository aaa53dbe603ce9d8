package io.natter.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Exit criterion 1: a message is visible to all room members within the intra-region bound. One load-generator run
 * (C clients, R rooms, M messages a second) and its p95 from each send to every member's copy, the sender's included.
 */
final class DeliveryCheck {
    private DeliveryCheck() {}

    static String criterion(double boundMs) {
        return "message visible to all room members, intra-region p95 < " + LoadReport.number(boundMs) + " ms";
    }

    /** Runs the load described by {@code options.loadArgs()} against the running stack and judges it. */
    static CriterionResult run(ExitCriteriaOptions options, Map<String, String> env, Path workDir, PrintStream log,
            String runId) throws IOException, InterruptedException {
        LoadOptions load = LoadOptions.parse(options.loadArgs(), env);
        try (Target target = RunningTarget.of(load, workDir)) {
            return judge(LoadRun.run(load, target, log, runId), options.latencyBoundMs());
        }
    }

    /**
     * PASS when messages were sent, every copy of every one arrived exactly once (nothing lost, duplicated, refused
     * or unanswered) and the delivery p95 is below the bound.
     */
    static CriterionResult judge(LoadReport report, double boundMs) {
        CopyLedger.Summary counts = report.counts();
        Percentiles delivery = report.delivery();
        long lost = counts.lostCopies() + counts.observerLost();
        long duplicates = counts.duplicateCopies() + counts.observerDuplicates();
        boolean complete = counts.messages() > 0 && lost == 0 && duplicates == 0 && counts.rejected() == 0
                && counts.timedOut() == 0 && counts.unanswered() == 0;
        boolean fast = delivery.count() > 0 && delivery.p95() < boundMs;
        String figure = String.format(Locale.ROOT, "p95 %s ms %s %s ms (p50 %s, p99 %s, max %s); C=%d R=%d M=%s: "
                        + "%d messages, %d of %d copies received, %d lost, %d duplicate, %d refused, %d timed out "
                        + "and never delivered, %d unanswered%s",
                LoadReport.ms(delivery.p95()), fast ? "<" : ">=", LoadReport.number(boundMs),
                LoadReport.ms(delivery.p50()), LoadReport.ms(delivery.p99()), LoadReport.ms(delivery.max()),
                report.clients(), report.rooms(), LoadReport.number(report.rate()), counts.messages(),
                counts.receivedCopies(), counts.expectedCopies(), lost, duplicates, counts.rejected(),
                counts.timedOut(), counts.unanswered(), report.errors().isEmpty() ? ""
                        : "; ERROR frames, warm-up included: " + LoadReport.counts(report.errors()));
        return CriterionResult.of(criterion(boundMs), complete && fast, figure);
    }
}
