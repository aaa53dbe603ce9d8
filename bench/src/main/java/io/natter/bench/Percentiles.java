package io.natter.bench;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds over {@code count} samples; all zero when there were none. */
record Percentiles(long count, double p50, double p95, double p99, double p999, double max) {

    static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0, 0);

    /** From a histogram of microseconds. */
    static Percentiles of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return NONE;
        }
        return new Percentiles(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(95)), ms(micros.getValueAtPercentile(99)),
                ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
    }

    private static double ms(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }
}
