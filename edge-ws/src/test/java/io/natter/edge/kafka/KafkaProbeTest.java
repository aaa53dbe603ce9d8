package io.natter.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KafkaProbeTest {
    private final AtomicBoolean kafkaUp = new AtomicBoolean();
    private final List<Boolean> changes = new CopyOnWriteArrayList<>();

    @Test
    void reportsEachChangeOnceAndStartsDown() {
        try (KafkaProbe probe = new KafkaProbe("probe-test", kafkaUp::get, Duration.ofMillis(10), () -> { })) {
            assertThat(probe.up()).isFalse();
            kafkaUp.set(true);
            probe.start(changes::add);
            await().atMost(Duration.ofSeconds(5)).until(probe::up);

            kafkaUp.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> !probe.up());
            kafkaUp.set(true);
            await().atMost(Duration.ofSeconds(5)).until(probe::up);

            assertThat(changes).containsExactly(true, false, true);
        }
    }

    @Test
    void aCheckThatThrowsCountsAsDown() {
        AtomicInteger checks = new AtomicInteger();
        try (KafkaProbe probe = new KafkaProbe("probe-test", () -> {
            if (checks.incrementAndGet() > 1) {
                throw new IllegalStateException("broker gone");
            }
            return true;
        }, Duration.ofMillis(10), () -> { })) {
            probe.start(changes::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
            assertThat(changes).containsExactly(true, false);
            assertThat(probe.up()).isFalse();
        }
    }

    @Test
    void checkSoonChecksBeforeTheIntervalEnds() {
        try (KafkaProbe probe = new KafkaProbe("probe-test", kafkaUp::get, Duration.ofHours(1), () -> { })) {
            probe.start(changes::add);
            kafkaUp.set(true);
            probe.checkSoon();
            await().atMost(Duration.ofSeconds(5)).until(probe::up);
            assertThat(changes).containsExactly(true);
        }
    }

    @Test
    void closeClosesItsResource() {
        AtomicBoolean closed = new AtomicBoolean();
        KafkaProbe probe = new KafkaProbe("probe-test", kafkaUp::get, Duration.ofMillis(10), () -> closed.set(true));
        probe.start(changes::add);
        probe.close();
        assertThat(closed).isTrue();
    }
}
