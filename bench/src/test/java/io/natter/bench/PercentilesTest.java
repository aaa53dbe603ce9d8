package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void readsMillisecondsFromAHistogramOfMicroseconds() {
        Histogram micros = new Histogram(3);
        for (int ms = 1; ms <= 1000; ms++) {
            micros.recordValue(ms * 1000L);
        }
        Percentiles p = Percentiles.of(micros);
        assertThat(p.count()).isEqualTo(1000);
        assertThat(p.p50()).isCloseTo(500.0, within(0.6));
        assertThat(p.p95()).isCloseTo(950.0, within(0.6));
        assertThat(p.p99()).isCloseTo(990.0, within(0.6));
        assertThat(p.p999()).isCloseTo(999.0, within(0.6));
        assertThat(p.max()).isCloseTo(1000.0, within(0.6));
    }

    @Test
    void anEmptyHistogramIsAllZero() {
        assertThat(Percentiles.of(new Histogram(3))).isEqualTo(Percentiles.NONE);
    }

    @Test
    void theRecorderAddsEachIntervalToItsTotal() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(2_000_000);
        assertThat(recorder.interval().getTotalCount()).isEqualTo(1);
        recorder.record(4_000_000);
        recorder.record(-5);
        assertThat(recorder.interval().getTotalCount()).isEqualTo(2);
        assertThat(recorder.total().getTotalCount()).isEqualTo(3);
        assertThat(Percentiles.of(recorder.total()).max()).isCloseTo(4.0, within(0.01));
    }
}
