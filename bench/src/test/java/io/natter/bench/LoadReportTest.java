package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    private static final CopyLedger.Summary COUNTS =
            new CopyLedger.Summary(20000, 19990, 10, 0, 0, 19990, 199900, 199898, 179908, 2, 1, 0, 0, 0, 0, 0, 0);

    private static LoadReport report(Double clientCores, LoadReport.Stall stall) {
        return report(clientCores, stall, List.of());
    }

    private static LoadReport report(Double clientCores, LoadReport.Stall stall, List<LoadReport.Tick> timeline) {
        return new LoadReport("eos", "running stack", "Lrun", 1000, 100, 1, 64, 1, stall == null ? 0 : 1, 0, 5, 20,
                COUNTS, 8995.4, 9994.9, new Percentiles(199898, 20.44, 42.0, 58.81, 85.4, 102.9),
                new Percentiles(19990, 20.4, 40, 59.04, 70, 80), Percentiles.NONE,
                new Percentiles(19990, 0.1, 0.2, 1.26, 2, 3),
                Map.of("RATE_LIMITED", 10L), Map.of(), Map.of(),
                List.of(new ProcessCpu.Usage("edge-1", 20, 1.0), new ProcessCpu.Usage("devstack", 9, 0.45)), 1.45,
                clientCores, stall, timeline);
    }

    @Test
    void rendersOneMarkdownRowWithAsManyCellsAsTheHeader() {
        String row = report(0.5, null).markdownRow();
        assertThat(row).isEqualTo("| eos | 1000 | 100 | 1 | 64 | 1 | 20000 | 8995 | 20.4 / 42.0 / 58.8 / 85.4 / 102.9 "
                + "| 20.4 / 59.0 | 2 | 1 | 0 | RATE_LIMITED×10 | 0 | 1.45 | 0.50 |");
        assertThat(cells(LoadReport.markdownHeader().lines().findFirst().orElseThrow())).isEqualTo(cells(row));
    }

    @Test
    void saysTheClientCpuIsInsideTheServerFigureInProcess() {
        assertThat(report(null, null).markdownRow()).endsWith("| 1.45 | in server |");
    }

    @Test
    void detailsNameTheServerProcessesAndTheStall() {
        LoadReport.Stall stall = new LoadReport.Stall(new Percentiles(10, 1, 2, 3, 4, 5),
                new Percentiles(20, 1, 2, 6, 7, 8), List.of(12.5),
                List.of(new LoadReport.StalledClient("Lrun-s0", "closed 4008 slow consumer", 900, 880)));
        List<String> details = report(0.5, stall).details();
        assertThat(details).contains("- server CPU: edge-1 1.00 cores, devstack 0.45 cores",
                "- stalled: edge closes (slow_consumer counter) at [12.50 s] of the window; Lrun-s0 closed 4008 slow "
                        + "consumer after reading 880 messages",
                "- others' delivery p50 / p99 / max before the first close: 1.0 / 3.0 / 5.0 ms (10 copies); after "
                        + "the last: 1.0 / 6.0 / 8.0 ms (20 copies)");
    }

    @Test
    void detailsSpreadThePerSecondP99OfTheMeasuredWindowOnly() {
        List<LoadReport.Tick> timeline = new ArrayList<>();
        timeline.add(tick(-1, "warm-up", 900)); // warm-up and drain seconds are not part of the window
        timeline.add(tick(0, "measure", 0)); // a second with no copy of the window yet
        for (int i = 1; i <= 10; i++) {
            timeline.add(tick(i, "measure", i == 7 ? 400 : 60 + i));
        }
        timeline.add(tick(11, "drain", 800));

        List<String> details = report(0.5, null, timeline).details();

        // Ten seconds: 61..66, 68..70 and one spike of 400; median rank 5 (65), 90th rank 9 (70).
        assertThat(details).contains("- delivery p99 of each measured second: median 65.0 ms, 90th percentile 70.0 ms, "
                + "max 400.0 ms (10 seconds)");
    }

    @Test
    void detailsLeaveOutThePerSecondSpreadWithoutATimeline() {
        assertThat(report(0.5, null).details()).noneMatch(line -> line.contains("each measured second"));
    }

    private static LoadReport.Tick tick(double t, String phase, double p99) {
        return new LoadReport.Tick(t, phase, 1000, 9000, p99, 0, 0, 0);
    }

    @Test
    void countsAreListedByKey() {
        assertThat(LoadReport.counts(Map.of("b", 2L, "a", 1L))).isEqualTo("a×1, b×2");
        assertThat(LoadReport.counts(Map.of())).isEqualTo("0");
    }

    private static long cells(String line) {
        return line.chars().filter(c -> c == '|').count();
    }
}
