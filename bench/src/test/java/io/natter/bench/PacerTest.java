package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacerTest {

    @Test
    void gapsStayWithinTheJitterAndAverageThePeriod() {
        Pacer pacer = new Pacer(5, 0.2);
        SplittableRandom random = new SplittableRandom(1);
        long sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long gap = pacer.nextGapNanos(random);
            assertThat(gap).isBetween(160_000_000L, 240_000_000L);
            sum += gap;
        }
        assertThat((double) sum / n).isCloseTo(200_000_000.0, org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void withoutJitterEveryGapIsThePeriod() {
        Pacer pacer = new Pacer(0.5, 0);
        assertThat(pacer.nextGapNanos(new SplittableRandom(2))).isEqualTo(2_000_000_000L);
    }

    @Test
    void theFirstSendFallsWithinTheFirstPeriod() {
        Pacer pacer = new Pacer(10, 0.2);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            assertThat(pacer.firstDelayNanos(random)).isBetween(0L, 100_000_000L);
        }
    }

    @Test
    void refusesANonPositiveRate() {
        assertThatThrownBy(() -> new Pacer(0, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
