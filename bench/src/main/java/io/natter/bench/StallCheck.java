package io.natter.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exit criterion 3, slow consumers: a reader that stops reading is disconnected with 4008 and the others are not
 * slowed. One load-generator run with one stalled client, member of every room, and large messages so its backlog
 * passes the edge's bound within seconds; the others' p99 is taken over the seconds before its close.
 */
final class StallCheck {
    private static final String SLOW_CONSUMER_CLOSE = "closed 4008";

    private StallCheck() {}

    static String criterion(double boundMs) {
        return "backpressure: a stalled reader is closed with 4008, the others' p99 meanwhile < "
                + LoadReport.number(boundMs) + " ms";
    }

    /** The load generator's command line for the stall run. */
    static List<String> loadArgs(ExitCriteriaOptions options) {
        return List.of("--edges", String.join(",", options.edges().stream().map(Object::toString).toList()),
                "--clients", Integer.toString(options.stallClients()), "--rooms", Integer.toString(options.stallRooms()),
                "--rate", "1", "--message-bytes", Integer.toString(options.stallMessageBytes()), "--warmup-s", "2",
                "--duration-s", Long.toString(options.stallDuration().toSeconds()), "--drain-s", "10",
                "--stalled", "1");
    }

    static CriterionResult run(ExitCriteriaOptions options, Map<String, String> env, Path workDir, PrintStream log,
            String runId) throws IOException, InterruptedException {
        LoadOptions load = LoadOptions.parse(loadArgs(options), env);
        try (Target target = RunningTarget.of(load, workDir)) {
            return judge(LoadRun.run(load, target, log, runId), options.latencyBoundMs());
        }
    }

    /**
     * PASS when the stalled client was closed with 4008, the others' delivery p99 over the seconds before that close
     * (at least one copy measured) is below the bound, and none of their copies was lost.
     */
    static CriterionResult judge(LoadReport report, double boundMs) {
        LoadReport.Stall stall = report.stall();
        if (stall == null || stall.clients().isEmpty()) {
            return CriterionResult.fail(criterion(boundMs), "the run had no stalled client");
        }
        LoadReport.StalledClient stalled = stall.clients().getFirst();
        boolean closed = stalled.close().startsWith(SLOW_CONSUMER_CLOSE);
        Percentiles before = stall.othersBeforeFirstClose();
        boolean unaffected = before.count() > 0 && before.p99() < boundMs;
        long lost = report.counts().lostCopies();
        String when = stall.serverClosesAtSeconds().isEmpty() ? "the edge's 4008 counter did not move"
                : "4008 at " + LoadReport.number(stall.serverClosesAtSeconds().getFirst()) + " s of the window";
        String figure = String.format(Locale.ROOT, "stalled reader %s (%s, after reading %d messages); the others' "
                        + "p99 before the close %s ms %s %s ms (%d copies), after it %s ms, whole run %s ms, %d lost; "
                        + "C=%d R=%d, %d-byte messages",
                stalled.close(), when, stalled.messagesRead(), LoadReport.ms(before.p99()),
                unaffected ? "<" : ">=", LoadReport.number(boundMs), before.count(),
                LoadReport.ms(stall.othersAfterLastClose().p99()), LoadReport.ms(report.delivery().p99()), lost, report.clients(), report.rooms(), report.messageBytes());
        if (!closed) {
            figure += " (not closed: give it more --stall-duration-s or --stall-message-bytes)";
        }
        return CriterionResult.of(criterion(boundMs), closed && unaffected && lost == 0, figure);
    }
}
