package io.natter.edge.kafka;

import io.natter.schemas.Topic;
import io.natter.schemas.avro.RoomCommand;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Produces room commands to {@code chat.message.requested.v1}, keyed by room id so one task judges a room in order. */
public final class CommandPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandPublisher.class);

    private final Producer<String, RoomCommand> producer;
    private final Topic<String, RoomCommand> topic;
    private volatile boolean ready;
    private volatile boolean closed;

    public CommandPublisher(Producer<String, RoomCommand> producer, Topic<String, RoomCommand> topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A publisher with the edge's producer settings. */
    public static CommandPublisher create(String bootstrap, String nodeId, Duration maxBlock,
            Topic<String, RoomCommand> topic) {
        return new CommandPublisher(new KafkaProducer<>(KafkaClientSettings.producer(bootstrap, nodeId, maxBlock),
                topic.keySerde().serializer(), topic.valueSerde().serializer()), topic);
    }

    /** Completes when the broker has the command (acks=all), or fails with the producer's error. */
    public CompletableFuture<Void> publish(String roomId, RoomCommand command) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic.name(), roomId, command), (metadata, error) -> {
                if (error != null) {
                    written.completeExceptionally(error);
                } else {
                    written.complete(null);
                }
            });
        } catch (KafkaException e) {
            written.completeExceptionally(e);
        }
        return written;
    }

    /**
     * Blocks until the topic's metadata is known (broker reachable, topic present), retrying while the
     * publisher is open; each attempt waits up to the producer's max.block.ms.
     */
    public void awaitMetadata() {
        while (!closed && !ready) {
            try {
                if (!producer.partitionsFor(topic.name()).isEmpty()) {
                    ready = true;
                }
            } catch (KafkaException e) {
                log.warn("metadata for {} not available yet: {}", topic.name(), e.getMessage());
            }
        }
    }

    /** Whether the producer has reached the broker. */
    public boolean ready() {
        return ready;
    }

    @Override
    public void close() {
        closed = true;
        producer.close(Duration.ofSeconds(5));
    }
}
