package io.natter.infra;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a readiness condition until it holds or a deadline passes; the launchers' one waiting primitive. */
final class Await {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private Await() {}

    /** Waits until {@code condition} holds; throws {@link StartupException} naming {@code what} after {@code timeout}. */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new StartupException(what + " did not happen within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting until " + what, e);
            }
        }
    }
}
