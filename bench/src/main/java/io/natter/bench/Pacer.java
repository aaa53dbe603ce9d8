package io.natter.bench;

import java.util.random.RandomGenerator;

/** Gaps between one client's sends: {@code 1/rate} seconds times a uniform factor in {@code [1-jitter, 1+jitter]}. */
record Pacer(double ratePerSecond, double jitter) {

    Pacer {
        if (!(ratePerSecond > 0) || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("rate must be > 0 and jitter in [0, 1]: " + ratePerSecond + ", " + jitter);
        }
    }

    long periodNanos() {
        return (long) (1e9 / ratePerSecond);
    }

    /** The gap before the next send; averages {@link #periodNanos()}. */
    long nextGapNanos(RandomGenerator random) {
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Math.max(1, (long) (periodNanos() * factor));
    }

    /** When the first send happens: a uniform point of the first period, so clients do not send in lockstep. */
    long firstDelayNanos(RandomGenerator random) {
        return (long) (periodNanos() * random.nextDouble());
    }
}
