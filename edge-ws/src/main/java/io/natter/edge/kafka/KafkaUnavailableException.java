package io.natter.edge.kafka;

/** Kafka is unreachable (or buffered commands are still being published), so a command that must not wait was refused. */
public final class KafkaUnavailableException extends RuntimeException {
    KafkaUnavailableException(String message) {
        super(message, null, false, false);
    }
}
