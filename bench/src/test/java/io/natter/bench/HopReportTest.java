package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Joining the partial trails by command id, and the hop arithmetic over the joined ones; no clocks, made-up times. */
class HopReportTest {

    /** Joins partials in the given order, as the three consumer threads do through {@code Map.merge}. */
    private static List<HopTrail> join(HopTrail... partials) {
        Map<String, HopTrail> trails = new HashMap<>();
        for (HopTrail partial : partials) {
            trails.merge(partial.commandId(), partial, HopTrail::merge);
        }
        return new ArrayList<>(trails.values());
    }

    @Test
    void joinsTheThreeRecordsOfAMessageInAnyOrder() {
        HopTrail expected = new HopTrail("c1", 1000L, 1002L, 1005L, 1004L, 1010L, 1030L);

        assertThat(join(HopTrail.command("c1", 1000L, 1002, 1005), HopTrail.fanout("c1", 1000L, 1004L, 1010),
                HopTrail.committed("c1", 1030))).containsExactly(expected);
        assertThat(join(HopTrail.committed("c1", 1030), HopTrail.fanout("c1", 1000L, 1004L, 1010),
                HopTrail.command("c1", 1000L, 1002, 1005))).containsExactly(expected);
        assertThat(expected.complete()).isTrue();
        assertThat(expected.firstSeen()).isEqualTo(1005L);
    }

    @Test
    void eachHopIsTheDifferenceOfItsTwoTimesAndThePartsAddUpToTheTotal() {
        HopTrail trail = new HopTrail("c1", 1000L, 1002L, 1005L, 1004L, 1010L, 1030L);

        Map<Hop, Long> hops = new java.util.EnumMap<>(Hop.class);
        for (Hop hop : Hop.values()) {
            hops.put(hop, hop.of(trail));
        }
        assertThat(hops).isEqualTo(Map.of(Hop.EDGE_PRODUCE, 2L, Hop.COMMAND_FETCHED, 3L,
                Hop.JUDGED, -1L, Hop.PRODUCE_TO_JUDGED, 2L, Hop.OUTPUT_FETCHED, 6L, Hop.COMMITTED, 20L,
                Hop.TOTAL, 30L));
        assertThat(Hop.PARTS).containsExactly(Hop.EDGE_PRODUCE, Hop.COMMAND_FETCHED, Hop.JUDGED, Hop.OUTPUT_FETCHED,
                Hop.COMMITTED);
        assertThat(Hop.PARTS.stream().mapToLong(hop -> hop.of(trail)).sum()).isEqualTo(Hop.TOTAL.of(trail));
    }

    @Test
    void countsOnlyMessagesFirstSeenInTheWindowAndSaysWhyTheOthersDidNotJoin() {
        List<HopTrail> trails = join(
                // Before the window (warm-up): not counted, even though it completes inside it.
                HopTrail.command("early", 900L, 900, 990), HopTrail.fanout("early", 900L, 995L, 1001),
                HopTrail.committed("early", 1002),
                // Two joined.
                HopTrail.command("a", 1000L, 1001, 1003), HopTrail.fanout("a", 1000L, 1004L, 1006),
                HopTrail.committed("a", 1016),
                HopTrail.command("b", 1100L, 1103, 1106), HopTrail.fanout("b", 1100L, 1104L, 1110),
                HopTrail.committed("b", 1140),
                // Refused by the topology: a command and no fan-out.
                HopTrail.command("refused", 1200L, 1200, 1201),
                // A fan-out whose command this tool never saw.
                HopTrail.fanout("orphan", 1300L, 1301L, 1302), HopTrail.committed("orphan", 1303),
                // Seen uncommitted only (an aborted transaction, or not committed by the end).
                HopTrail.command("aborted", 1400L, 1400, 1401), HopTrail.fanout("aborted", 1400L, 1402L, 1403),
                // From a topology that does not write natter-judged-at.
                HopTrail.command("old", 1500L, 1500, 1501), HopTrail.fanout("old", 1500L, null, 1503),
                HopTrail.committed("old", 1504),
                // After the window.
                HopTrail.command("late", 2000L, 2000, 2001));

        HopReport.Measured measured = HopReport.measure(trails, 1000, 2000, 3);

        assertThat(measured.counts()).isEqualTo(new HopReport.Counts(6, 2, 1, 1, 1, 1, 3));
        List<HopStats> hops = measured.hops();
        assertThat(hops).extracting(HopStats::count).containsOnly(2L);
        // a: 1, 2, 1, 3, 2, 10 total 16; b: 3, 3, -2, 1, 6, 30 total 40.
        assertThat(hops.get(Hop.EDGE_PRODUCE.ordinal())).isEqualTo(new HopStats(Hop.EDGE_PRODUCE.label, "t1−t0",
                2, 2.0, 1, 1.0, 3.0, 3.0, 3.0, 0));
        assertThat(hops.get(Hop.JUDGED.ordinal())).isEqualTo(new HopStats(Hop.JUDGED.label, "t3−t2",
                2, -0.5, -2, 0.0, 1.0, 1.0, 1.0, 1));
        assertThat(hops.get(Hop.TOTAL.ordinal())).isEqualTo(new HopStats(Hop.TOTAL.label, "t5−t0",
                2, 28.0, 16, 16.0, 40.0, 40.0, 40.0, 0));
        assertThat(HopReport.sumOfPartMeans(hops)).isEqualTo(28.0);
    }

    @Test
    void printsOneRowPerHopThenTheEdgesAndWritesTheSameAsJson() throws Exception {
        HopReport.Measured measured = HopReport.measure(join(HopTrail.command("a", 1000L, 1001, 1003),
                HopTrail.fanout("a", 1000L, 1004L, 1006), HopTrail.committed("a", 1016)), 1000, 2000, 0);
        HopReport report = new HopReport("test", 0, 1, measured.counts(), measured.hops(),
                HopReport.sumOfPartMeans(measured.hops()), List.of(new HopReport.EdgeHistogram(
                        "chat_fanout_dispatch_ms", "edge: dispatch", 1, 0.3, 0.25, 0.5, 0.5)),
                "edge note", "CreateTime", 5, Map.of("commands", 5.1));

        assertThat(report.markdownRows()).containsExactly(
                "| edge: SEND received → command produced | t1−t0 | 1 | 1.00 | 1.0 | 1.0 | 1.0 | 1.0 | 0 |",
                "| command produced → in Kafka, fetched by this tool | t2−t1 | 1 | 2.00 | 2.0 | 2.0 | 2.0 | 2.0 | 0 |",
                "| command fetched by this tool → topology judged | t3−t2 | 1 | 1.00 | 1.0 | 1.0 | 1.0 | 1.0 | 0 |",
                "| (command produced → topology judged) | t3−t1 | 1 | 3.00 | 3.0 | 3.0 | 3.0 | 3.0 | 0 |",
                "| judged → fan-out in Kafka, fetched read_uncommitted | t4−t3 | 1 | 2.00 | 2.0 | 2.0 | 2.0 | 2.0 | 0 |",
                "| fan-out uncommitted → visible read_committed | t5−t4 | 1 | 10.00 | 10.0 | 10.0 | 10.0 | 10.0 | 0 |",
                "| total: SEND received → fan-out visible read_committed | t5−t0 | 1 | 16.00 | 16.0 | 16.0 | 16.0 | 16.0 | 0 |",
                "| edge: dispatch | `chat_fanout_dispatch_ms` | 1 | 0.30 | 0.3 | 0.5 | 0.5 | – | – |");
        assertThat(report.details()).hasSize(7).contains("test", "edge note")
                .anySatisfy(line -> assertThat(line).contains("sum of their means 16.00 ms = total mean 16.00 ms"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(report);
        assertThat(json.path("counts").path("joined").asLong()).isEqualTo(1);
        assertThat(json.path("hops")).hasSize(Hop.values().length);
        assertThat(json.path("edge").path(0).path("metric").asText()).isEqualTo("chat_fanout_dispatch_ms");
        assertThat(json.path("sumOfPartMeans").asDouble()).isEqualTo(16.0);
    }

    @Test
    void noJoinedMessagesGiveZerosNotErrors() {
        HopReport.Measured measured = HopReport.measure(List.of(), 0, 1000, 0);

        assertThat(measured.counts()).isEqualTo(new HopReport.Counts(0, 0, 0, 0, 0, 0, 0));
        assertThat(measured.hops()).hasSize(Hop.values().length).allSatisfy(stats ->
                assertThat(stats).extracting(HopStats::count, HopStats::mean, HopStats::p99).containsExactly(0L, 0.0, 0.0));
    }
}
