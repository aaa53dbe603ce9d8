package io.natter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outcome of one message-load run: counts from the {@link CopyLedger}, latencies, errors and closes, CPU, the
 * stall measurement when asked for, and a per-second timeline. Rendered as a markdown row and as JSON.
 */
record LoadReport(
        String label,
        String target,
        String runId,
        int clients,
        int rooms,
        double rate,
        int messageBytes,
        int edges,
        int stalled,
        int observers,
        double warmupSeconds,
        double durationSeconds,
        CopyLedger.Summary counts,
        double copiesPerSecond,
        double copiesPerSecondWithSender,
        Percentiles delivery,
        Percentiles ack,
        Percentiles observerDelivery,
        Percentiles senderLag,
        Map<String, Long> errors,
        Map<String, Long> closes,
        Map<String, Long> connectFailures,
        List<ProcessCpu.Usage> serverCpu,
        double serverCores,
        Double clientCores,
        Stall stall,
        List<Tick> timeline) {

    /** What happened to the stalled clients and to everyone else's latency around their close. */
    record Stall(Percentiles othersBeforeFirstClose, Percentiles othersAfterLastClose,
            List<Double> serverClosesAtSeconds, List<StalledClient> clients) {}

    /** One stalled client: how its connection ended once it read again, and what it read before that. */
    record StalledClient(String user, String close, long framesRead, long messagesRead) {}

    /** One second of the run; {@code t} counts from the start of the measured window (negative in warm-up). */
    record Tick(double t, String phase, long sent, long copies, double p99Ms, long errors, long closes,
            long slowConsumerCloses) {}

    static String markdownHeader() {
        return "| label | C | R | M | bytes | edges | sent | copies/s | delivery p50 / p95 / p99 / p99.9 / max ms "
                + "| ACK p50 / p99 ms | lost | dup | unanswered | errors | closes | server cores | client cores |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    String markdownRow() {
        return String.format(Locale.ROOT,
                "| %s | %d | %d | %s | %d | %d | %d | %.0f | %s / %s / %s / %s / %s | %s / %s | %d | %d | %d | %s | %s | %.2f | %s |",
                label.isEmpty() ? "-" : label, clients, rooms, number(rate), messageBytes, edges, counts.messages(),
                copiesPerSecond, ms(delivery.p50()), ms(delivery.p95()), ms(delivery.p99()), ms(delivery.p999()),
                ms(delivery.max()), ms(ack.p50()), ms(ack.p99()),
                counts.lostCopies() + counts.observerLost(), counts.duplicateCopies() + counts.observerDuplicates(),
                counts.unanswered(), counts(errors), counts(closes), serverCores,
                clientCores == null ? "in server" : String.format(Locale.ROOT, "%.2f", clientCores));
    }

    /** The lines printed under the row: what the row leaves out. */
    List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add("- target: " + target + "; run " + runId + "; " + number(durationSeconds) + " s measured after "
                + number(warmupSeconds) + " s warm-up");
        lines.add(String.format(Locale.ROOT, "- messages: %d sent, %d ACKed, %d refused, %d TIMEOUT and never "
                        + "delivered, %d unanswered; copies expected %d, received %d (%d to others than the sender; "
                        + "%.0f/s with the sender's own)",
                counts.messages(), counts.acked(), counts.rejected(), counts.timedOut(), counts.unanswered(),
                counts.expectedCopies(),
                counts.receivedCopies(), counts.receivedByOthers(), copiesPerSecondWithSender));
        lines.add(String.format(Locale.ROOT, "- generator lag (send time behind schedule) p99 %s ms, max %s ms",
                ms(senderLag.p99()), ms(senderLag.max())));
        List<Double> perSecond = perSecondP99s();
        if (!perSecond.isEmpty()) {
            // A whole-window p99 cannot tell a standing queue from a few bad seconds (JIT, flushes, GC); this can.
            lines.add(String.format(Locale.ROOT, "- delivery p99 of each measured second: median %s ms, 90th "
                            + "percentile %s ms, max %s ms (%d seconds)", ms(nearestRank(perSecond, 0.5)),
                    ms(nearestRank(perSecond, 0.9)), ms(perSecond.getLast()), perSecond.size()));
        }
        lines.add("- server CPU: " + serverCpu.stream()
                .map(u -> String.format(Locale.ROOT, "%s %.2f cores", u.name(), u.cores()))
                .collect(Collectors.joining(", ")));
        if (!connectFailures.isEmpty()) {
            lines.add("- failed connects: " + counts(connectFailures));
        }
        if (counts.unknownCopies() > 0 || counts.duplicateAnswers() > 0) {
            lines.add("- frames matching no message of this window: " + counts.unknownCopies()
                    + "; repeated answers: " + counts.duplicateAnswers());
        }
        if (observers > 0) {
            lines.add(String.format(Locale.ROOT, "- observers: %d copies received of %d expected, %d duplicates; "
                            + "delivery p50 / p99 / max %s / %s / %s ms", counts.observerReceived(),
                    counts.observerExpected(), counts.observerDuplicates(), ms(observerDelivery.p50()),
                    ms(observerDelivery.p99()), ms(observerDelivery.max())));
        }
        if (stall != null) {
            lines.add("- stalled: edge closes (slow_consumer counter) at " + stall.serverClosesAtSeconds().stream()
                    .map(t -> number(t) + " s").collect(Collectors.joining(", ", "[", "]")) + " of the window; "
                    + stall.clients().stream().map(c -> c.user() + " " + c.close() + " after reading "
                            + c.messagesRead() + " messages").collect(Collectors.joining("; ")));
            lines.add(String.format(Locale.ROOT, "- others' delivery p50 / p99 / max before the first close: "
                            + "%s / %s / %s ms (%d copies); after the last: %s / %s / %s ms (%d copies)",
                    ms(stall.othersBeforeFirstClose().p50()), ms(stall.othersBeforeFirstClose().p99()),
                    ms(stall.othersBeforeFirstClose().max()), stall.othersBeforeFirstClose().count(),
                    ms(stall.othersAfterLastClose().p50()), ms(stall.othersAfterLastClose().p99()),
                    ms(stall.othersAfterLastClose().max()), stall.othersAfterLastClose().count()));
        }
        return lines;
    }

    /** The p99 of each measured second that delivered copies, ascending. */
    List<Double> perSecondP99s() {
        return timeline.stream()
                .filter(tick -> tick.phase().equals("measure") && tick.p99Ms() > 0)
                .map(Tick::p99Ms)
                .sorted()
                .toList();
    }

    /** The nearest-rank {@code quantile} (0 < q ≤ 1) of {@code ascending}, which is not empty. */
    static double nearestRank(List<Double> ascending, double quantile) {
        int rank = (int) Math.ceil(quantile * ascending.size());
        return ascending.get(Math.max(0, rank - 1));
    }

    /** {@code CODE×n, …} in key order, or 0. */
    static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "0" : new TreeMap<>(counts).entrySet().stream()
                .map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(", "));
    }

    static String ms(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
