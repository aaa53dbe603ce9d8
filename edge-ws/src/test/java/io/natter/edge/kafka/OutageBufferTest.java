package io.natter.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutageBufferTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void keepsItemsInArrivalOrderUpToItsCapacity() {
        OutageBuffer<String> buffer = new OutageBuffer<>(3, Duration.ofMinutes(1));
        assertThat(buffer.add("a", 0)).isEmpty();
        assertThat(buffer.add("b", 0)).isEmpty();
        assertThat(buffer.add("c", 0)).isEmpty();

        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.takeAll()).containsExactly("a", "b", "c");
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void dropsTheOldestWhenFull() {
        OutageBuffer<String> buffer = new OutageBuffer<>(2, Duration.ofMinutes(1));
        buffer.add("a", 0);
        buffer.add("b", 0);

        assertThat(buffer.add("c", 0)).containsExactly("a");
        assertThat(buffer.add("d", 0)).containsExactly("b");
        assertThat(buffer.takeAll()).containsExactly("c", "d");
    }

    @Test
    void aZeroCapacityBufferDropsEveryItemAtOnce() {
        OutageBuffer<String> buffer = new OutageBuffer<>(0, Duration.ofMinutes(1));
        assertThat(buffer.add("a", 0)).containsExactly("a");
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void expiresOnlyItemsOlderThanTheMaximumWait() {
        OutageBuffer<String> buffer = new OutageBuffer<>(10, Duration.ofSeconds(5));
        buffer.add("a", 0);
        buffer.add("b", 2 * SECOND);
        buffer.add("c", 4 * SECOND);

        assertThat(buffer.expire(5 * SECOND)).as("exactly the maximum wait is still allowed").isEmpty();
        assertThat(buffer.expire(7 * SECOND + 1)).containsExactly("a", "b");
        assertThat(buffer.takeAll()).containsExactly("c");
    }

    @Test
    void theOldestStaysUntilRemoved() {
        OutageBuffer<String> buffer = new OutageBuffer<>(2, Duration.ofMinutes(1));
        assertThat(buffer.oldest()).isNull();
        buffer.add("a", 0);
        buffer.add("b", 0);

        assertThat(buffer.oldest()).isEqualTo("a");
        assertThat(buffer.oldest()).isEqualTo("a");
        buffer.removeOldest();
        assertThat(buffer.oldest()).isEqualTo("b");
        assertThat(buffer.size()).isOne();
        assertThat(buffer.takeAll()).isEqualTo(List.of("b"));
    }
}
