package io.natter.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code ./bench/hops} measured: each hop over the messages joined in the window, the counts that say how many
 * were joined and why the others were not, and the edge's own share read from its {@code /metrics}.
 */
record HopReport(String description, long warmupSeconds, long windowSeconds, Counts counts, List<HopStats> hops,
        double sumOfPartMeans, List<EdgeHistogram> edge, String edgeMetricsNote, String commandTimestampType,
        int fetchMaxWaitMs, Map<String, Double> toolFetchLatencyAvgMs) {

    /**
     * Messages this tool first saw in the window: joined (all six times), no fan-out (a command the topology refused,
     * or whose fan-out was not out by the end of the drain), no command (fan-out of a command this tool did not see),
     * one consumer only (the fan-out seen uncommitted or committed but not both), a header missing (an edge or topology
     * that does not write natter-received-at / natter-judged-at); and records that did not decode.
     */
    record Counts(long seen, long joined, long noFanout, long noCommand, long oneConsumerOnly, long missingHeader,
            long undecodable) {}

    /** A histogram of the edge's scrape over the window: count, mean and interpolated quantiles, ms. */
    record EdgeHistogram(String metric, String meaning, long count, double mean, double p50, double p95, double p99) {}

    /** The counts and hop statistics of the trails first seen in [{@code from}, {@code to}) (epoch millis). */
    record Measured(Counts counts, List<HopStats> hops) {}

    /** Classifies and measures {@code trails}; pure. */
    static Measured measure(Collection<HopTrail> trails, long from, long to, long undecodable) {
        List<HopTrail> joined = new ArrayList<>();
        long seen = 0;
        long noFanout = 0;
        long noCommand = 0;
        long oneConsumer = 0;
        long missingHeader = 0;
        for (HopTrail trail : trails) {
            Long first = trail.firstSeen();
            if (first == null || first < from || first >= to) {
                continue;
            }
            seen++;
            if (trail.complete()) {
                joined.add(trail);
            } else if (trail.commandFetched() == null) {
                noCommand++;
            } else if (trail.fanoutFetched() == null && trail.fanoutCommitted() == null) {
                noFanout++;
            } else if (trail.fanoutFetched() == null || trail.fanoutCommitted() == null) {
                oneConsumer++;
            } else {
                missingHeader++;
            }
        }
        List<HopStats> hops = new ArrayList<>();
        for (Hop hop : Hop.values()) {
            hops.add(HopStats.of(hop, joined.stream().mapToLong(hop::of).toArray()));
        }
        return new Measured(new Counts(seen, joined.size(), noFanout, noCommand, oneConsumer, missingHeader,
                undecodable), hops);
    }

    /** The sum of the means of {@link Hop#PARTS}: equals the total's mean (same messages, one clock). */
    static double sumOfPartMeans(List<HopStats> hops) {
        double sum = 0;
        for (Hop hop : Hop.PARTS) {
            sum += hops.get(hop.ordinal()).mean();
        }
        return Math.round(sum * 100) / 100.0;
    }

    static String markdownHeader() {
        return "| hop | times | n | mean ms | p50 | p95 | p99 | max | < 0 |\n|---|---|---|---|---|---|---|---|---|";
    }

    /** One markdown row per hop, then the edge's rows. */
    List<String> markdownRows() {
        List<String> rows = new ArrayList<>();
        for (HopStats hop : hops) {
            rows.add(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.1f | %.1f | %.1f | %.1f | %d |", hop.hop(),
                    hop.formula(), hop.count(), hop.mean(), hop.p50(), hop.p95(), hop.p99(), hop.max(), hop.negative()));
        }
        for (EdgeHistogram histogram : edge) {
            rows.add(String.format(Locale.ROOT, "| %s | `%s` | %d | %.2f | %.1f | %.1f | %.1f | – | – |",
                    histogram.meaning(), histogram.metric(), histogram.count(), histogram.mean(), histogram.p50(),
                    histogram.p95(), histogram.p99()));
        }
        return rows;
    }

    /** The lines under the table: counts, how to read it, the poll floor. */
    List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add(description);
        lines.add(String.format(Locale.ROOT, "window %d s after %d s warm-up: %d messages first seen in it, %d joined; "
                        + "%d without fan-out (refused by the topology, or not out by the end of the drain), %d fan-outs "
                        + "without their command, %d seen by one fan-out consumer only, %d missing a header; "
                        + "%d records did not decode", windowSeconds, warmupSeconds, counts.seen(), counts.joined(),
                counts.noFanout(), counts.noCommand(), counts.oneConsumerOnly(), counts.missingHeader(),
                counts.undecodable()));
        HopStats total = hops.get(Hop.TOTAL.ordinal());
        lines.add(String.format(Locale.ROOT, "the hops t1−t0 … t5−t4 add up per message: sum of their means %.2f ms = "
                + "total mean %.2f ms (percentiles do not add)", sumOfPartMeans, total.mean()));
        lines.add("times: t0 edge received the SEND (header natter-received-at), t1 command record timestamp ("
                + commandTimestampType + (commandTimestampType.equals("CreateTime")
                        ? ": the edge producer's send() call, before the broker round trip" : "") + "), t2/t4/t5 "
                + "this tool's poll returned the command / the fan-out read_uncommitted / read_committed, t3 the "
                + "topology built its outputs (header natter-judged-at); one machine's wall clock, 1 ms resolution");
        lines.add("t3−t2 races this tool's fetch against the topology's: `< 0` counts messages the topology judged "
                + "before this tool saw the command (0 in the percentiles; the mean keeps the sign); t3−t1 is the hop "
                + "without the race");
        lines.add(String.format(Locale.ROOT, "poll floor: t2, t4, t5 include this tool's own fetch: fetch.min.bytes=1 "
                + "and fetch.max.wait.ms=%d, so the broker answers a waiting fetch when the record is appended "
                + "(committed: when the marker is), i.e. up to about one loopback round trip late, at worst "
                + "%d ms plus one poll; the consumers' fetch-latency-avg (includes the idle waits): %s",
                fetchMaxWaitMs, fetchMaxWaitMs, toolFetchLatencyAvgMs));
        lines.add(edgeMetricsNote);
        return lines;
    }
}
