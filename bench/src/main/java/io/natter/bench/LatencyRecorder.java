package io.natter.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies recorded from many threads, read once a second by one: each read returns the last interval's
 * histogram and adds it to the running total. Values are microseconds, 3 significant digits.
 */
final class LatencyRecorder {
    private static final int DIGITS = 3;

    private final Recorder recorder = new Recorder(DIGITS);
    private final Histogram total = new Histogram(DIGITS);
    private Histogram interval;

    /** Records one latency; any thread. */
    void record(long nanos) {
        recorder.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    /** The samples since the last call, also added to the total; one reading thread only. */
    synchronized Histogram interval() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** Every sample read so far by {@link #interval()}. */
    synchronized Histogram total() {
        return total.copy();
    }
}
