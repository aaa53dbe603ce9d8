package io.natter.edge.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Watches the fan-out consumer: its client (metrics) and each record's delivery (tracing, latency). */
public interface FanoutObserver {
    /** Observes nothing. */
    FanoutObserver NONE = new FanoutObserver() { };

    /** Called once with the consumer, before it polls. */
    default void bind(Consumer<?, ?> consumer) { }

    /** Called on the consumer's thread when a poll returned records, before the first is delivered. */
    default void polled() { }

    /** Runs {@code delivery} of {@code record}, on the consumer's thread. */
    default void deliver(ConsumerRecord<String, byte[]> record, Runnable delivery) {
        delivery.run();
    }
}
