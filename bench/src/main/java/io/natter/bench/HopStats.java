package io.natter.bench;

import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * One hop over the joined messages, in milliseconds: exact mean and minimum, and percentiles from an HdrHistogram as
 * the load generator's (3 significant digits), where a negative value counts as 0 and is counted in {@code negative}.
 */
record HopStats(String hop, String formula, long count, double mean, long min, double p50, double p95, double p99,
        double max, long negative) {

    /** The statistics of {@code millis}, one value per message. */
    static HopStats of(Hop hop, long[] millis) {
        Histogram micros = new Histogram(3);
        long negative = 0;
        for (long value : millis) {
            negative += value < 0 ? 1 : 0;
            micros.recordValue(Math.max(0, value) * 1000);
        }
        Percentiles percentiles = Percentiles.of(micros);
        double mean = millis.length == 0 ? 0 : Math.round(Arrays.stream(millis).sum() * 100.0 / millis.length) / 100.0;
        long min = Arrays.stream(millis).min().orElse(0);
        return new HopStats(hop.label, hop.formula, millis.length, mean, min, percentiles.p50(), percentiles.p95(),
                percentiles.p99(), percentiles.max(), negative);
    }
}
