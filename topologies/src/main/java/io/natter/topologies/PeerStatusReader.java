package io.natter.topologies;

import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Reads a peer region's {@code chat.region.status.v1} on the PEER's cluster (it is never mirrored) in its own
 * thread and tells the {@link RegionFence} what the peer says of this region. When the peer says UP it reads
 * where the peer's {@code chat.room.membership.v1} partitions end, so the fence lifts only after this region's
 * replica applied everything the peer wrote before (every {@code RoomRehomed} of the failover).
 */
final class PeerStatusReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerStatusReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    /** Pause between attempts while the peer is unreachable or its status topic does not exist yet. */
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** First window scanned back from a membership partition's end for its last record (markers are skipped). */
    private static final int SCAN_WINDOW = 64;
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(10);

    private final String peer;
    private final String local;
    private final RegionFence fence;
    private final String peerBootstrap;
    private final String clientId;
    private final KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;
    // Reader thread only.
    private List<TopicPartition> assigned = List.of();
    private Map<TopicPartition, Long> endAtStart;
    private boolean targetsPending;

    PeerStatusReader(String peer, String peerBootstrap, String local, String clientId, RegionFence fence) {
        this.peer = peer;
        this.local = local;
        this.fence = fence;
        this.peerBootstrap = peerBootstrap;
        this.clientId = clientId;
        this.consumer = new KafkaConsumer<>(props(clientId + "-peer-status-" + peer), new StringDeserializer(),
                new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("peer-status-" + peer).daemon().unstarted(this::run);
    }

    private Map<String, Object> props(String id) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, peerBootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Asking for a topic that does not exist yet must not create it (uncompacted) on the peer's cluster.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return props;
    }

    /**
     * Starts reading and waits up to {@code catchUp} until the topic was read to the end offsets it had at the
     * start (so no command is judged before a DOWN already declared is known); logs a warning if not.
     */
    void start(Duration catchUp) {
        started = true;
        thread.start();
        try {
            if (!caughtUp.await(catchUp.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{}'s region status not read within {} (peer unreachable?): starting unfenced; a DOWN it"
                        + " declared will fence this region once it is read", peer, catchUp);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + peer + "'s region status", e);
        }
    }

    private void run() {
        long lastWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);
        while (running) {
            try {
                step();
            } catch (WakeupException e) {
                break;
            } catch (KafkaException e) {
                // Unreachable peer: its last known word stands (positive knowledge only); retry quietly.
                if (System.nanoTime() - lastWarning > TimeUnit.MINUTES.toNanos(1)) {
                    LOG.warn("cannot read {}'s region status: {}", peer, e.toString());
                    lastWarning = System.nanoTime();
                }
                LockSupport.parkNanos(RETRY.toNanos());
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void step() {
        if (assigned.isEmpty()) {
            List<PartitionInfo> infos = consumer.partitionsFor(TopicNames.REGION_STATUS, CALL_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                // The peer's topologies create the topic when they start: nothing declared yet.
                caughtUp.countDown();
                LockSupport.parkNanos(RETRY.toNanos());
                return;
            }
            assigned = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            endAtStart = consumer.endOffsets(assigned, CALL_TIMEOUT);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            if (local.equals(record.key())) {
                try {
                    apply(record.value());
                } catch (IllegalArgumentException e) {
                    // Not ours to fix here; the previous word stands (a poison record must not stop the reader).
                    LOG.error("skipping {}'s region status at offset {}: {}", peer, record.offset(), e.getMessage());
                }
            }
        }
        if (caughtUp.getCount() > 0
                && assigned.stream().allMatch(tp -> consumer.position(tp, CALL_TIMEOUT) >= endAtStart.get(tp))) {
            caughtUp.countDown();
        }
        if (targetsPending) {
            fence.unfenceTargets(peer, membershipTargets());
            targetsPending = false;
        }
    }

    private void apply(byte[] value) {
        if (value == null) {
            fence.forgotten(peer);
            targetsPending = false;
            return;
        }
        RegionStatus status = decode(value);
        if (status.getPayload().getStatus() == RegionAvailability.DOWN) {
            fence.declaredDown(peer);
            targetsPending = false;
        } else {
            fence.declaredUp(peer, status.getOccurredAt().toEpochMilli());
            targetsPending = true;
        }
    }

    /**
     * Per partition of the peer's {@code chat.room.membership.v1}, the offset of its last record (read_committed:
     * transaction markers and aborted records are skipped, so it is found by scanning back from the end), -1 if none.
     */
    private Map<Integer, Long> membershipTargets() {
        Map<Integer, Long> targets = new HashMap<>();
        try (KafkaConsumer<String, byte[]> scanner = new KafkaConsumer<>(props(clientId + "-peer-membership-" + peer),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = scanner.partitionsFor(TopicNames.ROOM_MEMBERSHIP, CALL_TIMEOUT).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Map<TopicPartition, Long> begin = scanner.beginningOffsets(partitions, CALL_TIMEOUT);
            Map<TopicPartition, Long> end = scanner.endOffsets(partitions, CALL_TIMEOUT);
            for (TopicPartition tp : partitions) {
                targets.put(tp.partition(), lastRecordOffset(scanner, tp, begin.get(tp), end.get(tp)));
            }
        }
        return targets;
    }

    /** The offset of the last committed record of {@code tp} below {@code end}, -1 if none. */
    private static long lastRecordOffset(KafkaConsumer<String, byte[]> scanner, TopicPartition tp, long begin,
                                         long end) {
        scanner.assign(List.of(tp));
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        long window = SCAN_WINDOW;
        long to = end;
        while (to > begin) {
            long from = Math.max(begin, to - window);
            scanner.seek(tp, from);
            long last = -1;
            while (scanner.position(tp, CALL_TIMEOUT) < to) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("scanning " + tp + " for its last record");
                }
                for (ConsumerRecord<String, byte[]> record : scanner.poll(POLL).records(tp)) {
                    if (record.offset() < to) {
                        last = Math.max(last, record.offset());
                    }
                }
            }
            if (last >= 0) {
                return last;
            }
            to = from;
            window *= 2;
        }
        return -1;
    }

    /**
     * Decodes a status value written by {@link io.natter.topologies.query.RegionOperator}: Confluent framing, then
     * Avro read with the compiled {@link RegionStatus} schema as the writer schema. The peer's registry is not
     * needed (fencing depends on the peer's Kafka alone); this holds while the schema only grows fields at the
     * end, which this read ignores.
     */
    static RegionStatus decode(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        if (value.length < 5 || buffer.get() != 0) {
            throw new IllegalArgumentException("region status value is not in the Confluent wire format");
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
        try {
            return new SpecificDatumReader<>(RegionStatus.class).read(null, decoder);
        } catch (IOException e) {
            throw new IllegalArgumentException("undecodable region status: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ofSeconds(5));
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
