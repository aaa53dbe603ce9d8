package io.natter.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainTest {
    @Test
    void takesWorkUntilTheDrainBeginsAndCountsWhatGotIn() {
        Drain drain = new Drain();
        assertThat(drain.tryEnter()).isTrue();
        assertThat(drain.tryEnter()).isTrue();
        drain.exit();

        drain.begin();
        assertThat(drain.draining()).isTrue();
        assertThat(drain.tryEnter()).isFalse();
        assertThat(drain.inFlight()).as("a refused caller is not counted").isEqualTo(1);
        drain.exit();
        assertThat(drain.inFlight()).isZero();
    }

    @Test
    void awaitUntilReturnsAtOnceWhenTheConditionHoldsAndFalseAtTheDeadline() {
        assertThat(Drain.awaitUntil(() -> true, System.nanoTime() - 1)).isTrue();
        long started = System.nanoTime();
        assertThat(Drain.awaitUntil(() -> false, started + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }
}
