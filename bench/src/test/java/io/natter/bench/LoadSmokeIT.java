package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator end to end, briefly, in-process: its own accounting must add up (not a benchmark: no timings asserted). */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LoadSmokeIT {

    @Test
    void everyCopyOfEveryMessageSentInTheWindowArrivesOnceAndIsCounted() throws Exception {
        LoadOptions options = LoadOptions.parse(List.of("--in-process", "--clients", "10", "--rooms", "2", "--rate",
                "5", "--observers", "1", "--warmup-s", "1", "--duration-s", "3", "--drain-s", "60",
                // A shared, loaded machine may take seconds per verdict: no TIMEOUT should muddle the accounting.
                "--edge-env", "NATTER_REQUEST_TIMEOUT_MS=60000"), Map.of());
        LoadReport report;
        try (Target target = InProcessTarget.start(options)) {
            report = LoadRun.run(options, target, new PrintStream(OutputStream.nullOutputStream()), "Lsmoke");
        }

        CopyLedger.Summary counts = report.counts();
        long messages = counts.messages();
        assertThat(messages).isPositive();
        // Two rooms of five: each message owes five copies (the sender's own included) and one to the observer.
        assertThat(counts).isEqualTo(new CopyLedger.Summary(messages, messages, 0, 0, 0, messages, 5 * messages,
                5 * messages, 4 * messages, 0, 0, messages, messages, 0, 0, 0, 0));
        assertThat(report.delivery().count()).isEqualTo(5 * messages);
        assertThat(report.ack().count()).isEqualTo(messages);
        assertThat(report.observerDelivery().count()).isEqualTo(messages);
        assertThat(report.copiesPerSecond()).isEqualTo(5.0 * messages / 3);
        assertThat(report.errors()).isEmpty();
        assertThat(report.closes()).isEmpty();
        assertThat(report.connectFailures()).isEmpty();
        assertThat(report.stall()).isNull();
        assertThat(report.serverCpu()).singleElement().satisfies(usage -> assertThat(usage.cpuSeconds()).isPositive());
        assertThat(report.timeline()).extracting(LoadReport.Tick::phase).contains("measure").last().isEqualTo("drain");
        assertThat(report.markdownRow()).startsWith("| - | 10 | 2 | 5 | 64 | 1 | " + messages + " | ");
    }
}
