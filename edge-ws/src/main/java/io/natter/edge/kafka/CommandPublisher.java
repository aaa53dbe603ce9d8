package io.natter.edge.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.avro.RoomCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces room commands to {@code chat.message.requested.v1}, keyed by room id so one task judges a room in order.
 *
 * <p>While {@link KafkaProbe} says Kafka is unreachable, {@link #publish} keeps commands in a bounded
 * {@link OutageBuffer} (the oldest dropped when full, none kept longer than the maximum wait) and one drain thread
 * hands them to the producer, in arrival order, once Kafka is back. Every hand-off happens under one lock, and
 * while anything is buffered new commands queue behind it, so a room's commands reach Kafka in the order they came.
 */
public final class CommandPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandPublisher.class);
    /** Micrometer name of the buffered-commands gauge; Prometheus {@code chat_outage_buffer_depth}. */
    public static final String BUFFER_DEPTH_GAUGE = "chat.outage.buffer.depth";
    /** Micrometer name of commands dropped unwritten; Prometheus {@code chat_outage_dropped_total}. */
    public static final String DROPPED_COUNTER = "chat.outage.dropped";
    /** Micrometer name of the Kafka reachability gauge (1 up, 0 down); Prometheus {@code chat_kafka_up}. */
    public static final String KAFKA_UP_GAUGE = "chat.kafka.up";
    /** How often the drain thread looks for buffered commands past their maximum wait. */
    private static final Duration TICK = Duration.ofMillis(100);

    /** Bounds of the outage buffer: how many commands it keeps, and how long one may wait in it. */
    public record OutageLimits(int bufferMaxCommands, Duration maxWait) {}

    /**
     * What became of a command: {@code handedOff} completes when the producer took it (its verdict clock may start
     * then); {@code written} completes when the broker has it, or fails (with {@link CommandDroppedException} when
     * it was given up unwritten, {@link KafkaUnavailableException} when refused, else the producer's error).
     */
    public record Publication(CompletableFuture<Void> handedOff, CompletableFuture<Void> written) {}

    private record Command(String roomId, RoomCommand command, Publication publication) {}

    private enum HandOff { SENT, FAILED, RETRY_LATER }

    private final Producer<String, RoomCommand> producer;
    private final Topic<String, RoomCommand> topic;
    private final KafkaProbe probe;
    private final OutageLimits limits;
    private final LongSupplier nanoTime;
    private final OutageBuffer<Command> buffer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Counter dropped;
    private final Thread drainer;
    private volatile boolean metadataReady;
    private volatile boolean closed;
    // Written only by the probe's thread (its listener), for the outage log lines.
    private boolean everUp;
    private long outageStartedNanos;
    private double droppedBeforeOutage;

    public CommandPublisher(String nodeId, Producer<String, RoomCommand> producer, Topic<String, RoomCommand> topic,
            KafkaProbe probe, OutageLimits limits, MeterRegistry metrics, LongSupplier nanoTime) {
        this.producer = producer;
        this.topic = topic;
        this.probe = probe;
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.buffer = new OutageBuffer<>(limits.bufferMaxCommands(), limits.maxWait());
        this.drainer = Thread.ofPlatform().daemon().name(nodeId + "-outage-drain").unstarted(this::drainLoop);
        this.dropped = Counter.builder(DROPPED_COUNTER)
                .description("Room commands given up unwritten while Kafka was unreachable (buffer full, waited too long, "
                        + "or shut down)")
                .register(metrics);
        Gauge.builder(BUFFER_DEPTH_GAUGE, this, CommandPublisher::buffered)
                .description("Room commands waiting in the outage buffer for Kafka")
                .register(metrics);
        Gauge.builder(KAFKA_UP_GAUGE, probe, p -> p.up() ? 1 : 0)
                .description("1 while Kafka takes commands, 0 during an outage")
                .register(metrics);
    }

    /** A publisher with the edge's producer settings and a probe of the command topic. */
    public static CommandPublisher create(String bootstrap, String nodeId, Duration maxBlock,
            Topic<String, RoomCommand> topic, OutageLimits limits, MeterRegistry metrics) {
        return new CommandPublisher(nodeId,
                new KafkaProducer<>(KafkaClientSettings.producer(bootstrap, nodeId, maxBlock),
                        topic.keySerde().serializer(), topic.valueSerde().serializer()),
                topic, KafkaProbe.forTopic(bootstrap, nodeId, topic.name()), limits, metrics, System::nanoTime);
    }

    /** Starts the probe and the drain thread. */
    public void start() {
        probe.start(this::kafkaChanged);
        drainer.start();
    }

    /**
     * Publishes a room write, buffering it while Kafka is unreachable: its {@code handedOff} completes when the
     * producer takes it, or its {@code written} fails with {@link CommandDroppedException} if it is given up.
     */
    public Publication publish(String roomId, RoomCommand command) {
        Command next = new Command(roomId, command,
                new Publication(new CompletableFuture<>(), new CompletableFuture<>()));
        List<Command> overflow;
        lock.lock();
        try {
            if (closed) {
                next.publication().written().completeExceptionally(
                        new KafkaUnavailableException("the edge is shutting down"));
                return next.publication();
            }
            if (sendable() && buffer.isEmpty() && handOff(next) != HandOff.RETRY_LATER) {
                return next.publication();
            }
            overflow = buffer.add(next, nanoTime.getAsLong());
        } finally {
            lock.unlock();
        }
        giveUp(overflow, new CommandDroppedException(CommandDroppedException.Reason.BUFFER_FULL,
                "not sent: Kafka is unreachable and this edge's outage buffer (" + limits.bufferMaxCommands()
                        + " commands) was full; send it again"));
        return next.publication();
    }

    /**
     * Publishes a command that must not wait (membership changes): refused with {@link KafkaUnavailableException}
     * while Kafka is unreachable or buffered commands are still being published (so it cannot overtake them).
     */
    public Publication publishNow(String roomId, RoomCommand command) {
        Command next = new Command(roomId, command,
                new Publication(new CompletableFuture<>(), new CompletableFuture<>()));
        lock.lock();
        try {
            String refusal = closed ? "the edge is shutting down"
                    : !sendable() ? "Kafka is unreachable"
                    : !buffer.isEmpty() ? "Kafka is back; buffered commands are still being published" : null;
            if (refusal != null || handOff(next) == HandOff.RETRY_LATER) {
                next.publication().written().completeExceptionally(
                        new KafkaUnavailableException(refusal != null ? refusal : "Kafka did not take the command"));
            }
        } finally {
            lock.unlock();
        }
        return next.publication();
    }

    /** Hands {@code next} to the producer; RETRY_LATER when nothing was written and it may be tried again. */
    private HandOff handOff(Command next) {
        Publication publication = next.publication();
        try {
            producer.send(new ProducerRecord<>(topic.name(), next.roomId(), next.command()), (metadata, error) -> {
                if (error == null) {
                    publication.written().complete(null);
                    return;
                }
                if (error instanceof RetriableException) {
                    probe.checkSoon();
                }
                publication.written().completeExceptionally(error);
            });
        } catch (RetriableException e) {
            // E.g. the metadata wait timed out: nothing was written, so the command may wait for Kafka instead.
            probe.checkSoon();
            return HandOff.RETRY_LATER;
        } catch (KafkaException | IllegalStateException e) {
            publication.written().completeExceptionally(e);
            return HandOff.FAILED;
        }
        publication.handedOff().complete(null);
        return HandOff.SENT;
    }

    private void drainLoop() {
        boolean backOff = false;
        while (!closed) {
            List<Command> expired;
            lock.lock();
            try {
                if (backOff || !(sendable() && !buffer.isEmpty())) {
                    changed.await(TICK.toMillis(), TimeUnit.MILLISECONDS);
                }
                expired = buffer.expire(nanoTime.getAsLong());
                backOff = !drainBuffer();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            giveUp(expired, new CommandDroppedException(CommandDroppedException.Reason.WAITED_TOO_LONG,
                    "not sent: Kafka was unreachable for longer than " + limits.maxWait().toMillis() + " ms; send it again"));
        }
    }

    /** Hands buffered commands to the producer, oldest first, while Kafka takes them; false if one must wait. */
    private boolean drainBuffer() {
        while (sendable() && !buffer.isEmpty()) {
            if (handOff(buffer.oldest()) == HandOff.RETRY_LATER) {
                return false;
            }
            buffer.removeOldest();
        }
        return true;
    }

    private void giveUp(List<Command> commands, CommandDroppedException reason) {
        for (Command command : commands) {
            dropped.increment();
            command.publication().written().completeExceptionally(reason);
        }
    }

    /** Whether the producer may be handed commands: it knows the topic and the probe reaches Kafka. */
    private boolean sendable() {
        return metadataReady && probe.up();
    }

    private void kafkaChanged(boolean up) {
        long now = nanoTime.getAsLong();
        if (up) {
            if (everUp) {
                log.warn("Kafka reachable again after {} ms: readiness UP, publishing {} buffered commands "
                                + "({} dropped during the outage)", TimeUnit.NANOSECONDS.toMillis(now - outageStartedNanos),
                        buffered(), (long) (dropped.count() - droppedBeforeOutage));
            } else {
                log.info("Kafka reachable: publishing commands to {}", topic.name());
            }
            everUp = true;
        } else if (everUp) {
            outageStartedNanos = now;
            droppedBeforeOutage = dropped.count();
            log.warn("Kafka unreachable: readiness DOWN; buffering up to {} room writes for at most {} ms each "
                    + "(oldest dropped first); membership changes are refused", limits.bufferMaxCommands(),
                    limits.maxWait().toMillis());
        }
        signalChange();
    }

    private void signalChange() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Number of commands waiting in the outage buffer. */
    public int buffered() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the topic's metadata is known (broker reachable, topic present), retrying while the
     * publisher is open; each attempt waits up to the producer's max.block.ms.
     */
    public void awaitMetadata() {
        while (!closed && !metadataReady) {
            try {
                if (!producer.partitionsFor(topic.name()).isEmpty()) {
                    metadataReady = true;
                    signalChange();
                }
            } catch (KafkaException e) {
                log.warn("metadata for {} not available yet: {}", topic.name(), e.getMessage());
            }
        }
    }

    /** Whether commands go to Kafka now: the producer has reached the broker and the probe finds it reachable. */
    public boolean ready() {
        return sendable();
    }

    /**
     * Stops the probe and the drain thread, hands what is still buffered to the producer if Kafka is reachable
     * (else drops it as SHUTDOWN), then closes the producer, which flushes every command it holds (up to 5 s).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        joinDrainer();
        probe.close();
        List<Command> left;
        lock.lock();
        try {
            drainBuffer();
            left = buffer.takeAll();
        } finally {
            lock.unlock();
        }
        giveUp(left, new CommandDroppedException(CommandDroppedException.Reason.SHUTDOWN,
                "not sent: the edge shut down while Kafka was unreachable; send it again"));
        producer.close(Duration.ofSeconds(5));
    }

    private void joinDrainer() {
        if (drainer.getState() == Thread.State.NEW) {
            return;
        }
        try {
            drainer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
