package io.natter.edge.kafka;

import io.natter.edge.regions.ReplicationGate;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that reads the fan-out, rejection and membership topics with {@code assign()} (no consumer group: every
 * edge must see every record), from their end at start: all their partitions, or one {@link Slice} of them when
 * several such threads share an edge's fan-out (a room's topics have one partition number, so one thread keeps a
 * room's membership events and messages in order).
 * With peer regions it reads their mirrored copies ({@code <peer>.chat.fanout.v1}, ...) too and delivers them alike;
 * with a {@link ReplicationGate} (replicated acks) it also reports the local and mirrored sent topics' records to it.
 * Partitions are discovered once at start: partitions added later need an edge restart.
 * A record that does not decode is logged and skipped, so one bad record cannot stall delivery.
 */
public final class FanoutConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FanoutConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration DISCOVERY_RETRY = Duration.ofMillis(500);
    /**
     * Records handed over between two flushes at most: a poll's copies are written together (one socket write per
     * client, not per frame), but a large poll after a backlog must not hold its first copies back until its last.
     */
    public static final int FLUSH_EVERY_RECORDS = 64;

    /**
     * The partitions numbered {@code index} modulo {@code count} of every routed topic: {@code count} consumers with
     * indexes 0 to count − 1 read every partition once between them.
     */
    public record Slice(int index, int count) {
        /** Every partition. */
        public static final Slice ALL = new Slice(0, 1);

        public Slice {
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException("slice " + index + " of " + count);
            }
        }

        boolean holds(int partition) {
            return partition % count == index;
        }

        /** {@code name}, suffixed with this slice's index when there are several. */
        String name(String name) {
            return count == 1 ? name : name + "-" + index;
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Slice slice;
    private final List<Route<?>> routes;
    private final FanoutObserver observer;
    private final InboundEvents events;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean ready;

    private record Route<V extends SpecificRecord>(Topic<String, V> topic,
            BiConsumer<V, ConsumerRecord<String, byte[]>> handler) {
        void deliver(ConsumerRecord<String, byte[]> record) {
            handler.accept(topic.valueSerde().deserializer().deserialize(record.topic(), record.value()), record);
        }
    }

    public FanoutConsumer(String bootstrap, String nodeId, Topics topics, InboundEvents events) {
        this(bootstrap, nodeId, topics, events, List.of(), null);
    }

    /** Reads this region's topics and those mirrored from {@code peers}; {@code gate} null = local acks. */
    public FanoutConsumer(String bootstrap, String nodeId, Topics topics, InboundEvents events, List<String> peers,
            ReplicationGate gate) {
        this(bootstrap, nodeId, topics, events, peers, gate, FanoutObserver.NONE);
    }

    /** As above, each record delivered through {@code observer}. */
    public FanoutConsumer(String bootstrap, String nodeId, Topics topics, InboundEvents events, List<String> peers,
            ReplicationGate gate, FanoutObserver observer) {
        this(bootstrap, nodeId, topics, events, peers, gate, observer, Slice.ALL);
    }

    /** As above, reading only the partitions of {@code slice}. */
    public FanoutConsumer(String bootstrap, String nodeId, Topics topics, InboundEvents events, List<String> peers,
            ReplicationGate gate, FanoutObserver observer, Slice slice) {
        this.observer = observer;
        this.events = events;
        this.slice = slice;
        // Thread and client id <node>-fanout, or <node>-fanout-<index> per slice, so their metrics stay apart.
        String name = slice.name(nodeId + "-fanout");
        this.consumer = new KafkaConsumer<>(KafkaClientSettings.fanoutConsumer(bootstrap, name),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<Route<?>> all = new ArrayList<>(routes(topics, events, null));
        peers.forEach(peer -> all.addAll(routes(topics, events, peer)));
        if (gate != null) {
            all.add(new Route<>(topics.messageSent(), (value, record) ->
                    gate.localSent(value.getPayload().getMessageId(), record.partition(), record.offset())));
            peers.forEach(peer -> all.add(new Route<>(topics.messageSent().mirroredFrom(peer),
                    (value, record) -> gate.mirroredSent(value.getPayload().getMessageId()))));
        }
        this.routes = List.copyOf(all);
        this.thread = new Thread(this::run, name);
        observer.bind(consumer);
    }

    /** The delivered topics of one region: this one's ({@code peer} null) or a peer's mirrored copies. */
    private static List<Route<?>> routes(Topics topics, InboundEvents events, String peer) {
        // Membership first within a poll: a re-home is known before the first message of its epoch is delivered.
        return List.of(
                new Route<>(mirrored(topics.roomMembership(), peer), (value, record) -> events.onMembership(value)),
                new Route<>(mirrored(topics.fanout(), peer), (value, record) -> events.onFanout(value.getPayload())),
                new Route<>(mirrored(topics.messageRejected(), peer),
                        (value, record) -> events.onRejection(value.getPayload())));
    }

    private static <V extends SpecificRecord> Topic<String, V> mirrored(Topic<String, V> topic, String peer) {
        return peer == null ? topic : topic.mirroredFrom(peer);
    }

    /** Starts the polling thread; {@link #ready()} turns true once every partition is assigned and positioned. */
    public void start() {
        thread.start();
    }

    /** Whether the consumer reads every partition from a known position. */
    public boolean ready() {
        return ready;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = discoverPartitions();
            if (partitions.isEmpty()) {
                // Closed before the topics were found, or a slice beyond the partition count: nothing to read.
                ready = closing.getCount() > 0;
                awaitClosing(null);
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // seekToEnd is lazy; resolving positions now means nothing written after "ready" is missed.
            partitions.forEach(consumer::position);
            ready = true;
            log.info("fan-out consumer reading {} partitions", partitions.size());
            while (closing.getCount() > 0) {
                dispatch(consumer.poll(POLL));
            }
        } catch (WakeupException e) {
            // close() woke the poll: normal shutdown.
        } catch (RuntimeException e) {
            log.error("fan-out consumer stopped; this edge delivers nothing until restarted", e);
        } finally {
            ready = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * This slice's partitions of the routed topics, retrying until every topic exists (a peer's mirrored topics appear
     * once MirrorMaker replicated the peer's first records); empty if closed first.
     */
    private List<TopicPartition> discoverPartitions() {
        while (closing.getCount() > 0) {
            List<TopicPartition> partitions = new ArrayList<>();
            boolean complete = true;
            for (Route<?> route : routes) {
                List<PartitionInfo> infos = partitionsOf(route.topic().name());
                complete &= !infos.isEmpty();
                infos.stream().filter(info -> slice.holds(info.partition()))
                        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            if (complete) {
                return partitions;
            }
            awaitClosing(DISCOVERY_RETRY);
        }
        return List.of();
    }

    private List<PartitionInfo> partitionsOf(String topic) {
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            return infos == null ? List.of() : infos;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("partitions of {} not available yet: {}", topic, e.getMessage());
            return List.of();
        }
    }

    private void dispatch(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        observer.polled();
        int sinceFlush = 0;
        try {
            for (Route<?> route : routes) {
                for (ConsumerRecord<String, byte[]> record : records.records(route.topic().name())) {
                    try {
                        observer.deliver(record, () -> route.deliver(record));
                    } catch (RuntimeException e) {
                        log.warn("skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                                e.toString());
                    }
                    if (++sinceFlush == FLUSH_EVERY_RECORDS) {
                        flush();
                        sinceFlush = 0;
                    }
                }
            }
        } finally {
            flush();
        }
    }

    private void flush() {
        try {
            events.flush();
        } catch (RuntimeException e) {
            log.warn("flushing delivered frames failed: {}", e.toString());
        }
    }

    /** Waits until closed, at most {@code timeout} (null: no bound). */
    private void awaitClosing(Duration timeout) {
        try {
            if (timeout == null) {
                closing.await();
            } else {
                closing.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.countDown();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
