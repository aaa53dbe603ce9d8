package io.natter.mirrormaker.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one mirrored topic on a region's cluster (e.g. {@code us.chat.fanout.v1} on eu) and tells whether a given
 * offset of the source region's topic has arrived there: the basis of the {@code replicated} ack level.
 *
 * <p>It reads the {@link UpstreamOffsets} header Natter's MirrorMaker stamps on every mirrored record. MirrorMaker
 * copies each partition in order, so once source offset {@code n} is on the target every earlier record is too.
 * It reads only new records (plus the newest existing one per partition, to know where replication stands) with
 * {@code assign()}, so it joins no consumer group.
 */
public final class ReplicationWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationWatcher.class);
    private static final Duration POLL = Duration.ofMillis(100);
    // A mirrored topic is created by MirrorMaker when it first replicates; look for it (and added partitions) this often.
    private static final long METADATA_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String sourceRegion;
    private final String mirroredTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Integer, Long> replicatedThrough = new ConcurrentHashMap<>();
    private final Map<Integer, TreeMap<Long, List<CompletableFuture<Void>>>> waiters = new HashMap<>();
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Throwable failure;

    private ReplicationWatcher(Map<String, Object> consumerConfig, String sourceRegion, String topic) {
        this.sourceRegion = sourceRegion;
        this.mirroredTopic = RemoteTopics.of(sourceRegion, topic);
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "natter-replication-watcher-" + mirroredTopic);
        // Latency matters more than fetch efficiency: answer as soon as a record lands.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, "replication-watcher-" + mirroredTopic);
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching how far {@code topic} of region {@code sourceRegion} has been mirrored to the cluster at
     * {@code targetBootstrapServers}. Returns at once; until the first fetch every partition reads as not replicated.
     */
    public static ReplicationWatcher start(String targetBootstrapServers, String sourceRegion, String topic) {
        return start(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, targetBootstrapServers), sourceRegion, topic);
    }

    /** As {@link #start(String, String, String)}, with a full consumer configuration (security settings, client id). */
    public static ReplicationWatcher start(Map<String, Object> targetConsumerConfig, String sourceRegion, String topic) {
        ReplicationWatcher watcher = new ReplicationWatcher(targetConsumerConfig, sourceRegion, topic);
        watcher.thread.start();
        return watcher;
    }

    /** The topic being read on the target cluster, e.g. {@code us.chat.fanout.v1}. */
    public String mirroredTopic() {
        return mirroredTopic;
    }

    public String sourceRegion() {
        return sourceRegion;
    }

    /** The highest source offset of {@code partition} seen on the target; every lower offset is there too. */
    public OptionalLong replicatedThrough(int partition) {
        Long offset = replicatedThrough.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Whether source offset {@code sourceOffset} of {@code partition} is on the target cluster already. */
    public boolean isReplicated(int partition, long sourceOffset) {
        Long through = replicatedThrough.get(partition);
        return through != null && through >= sourceOffset;
    }

    /**
     * Completes once source offset {@code sourceOffset} of {@code partition} is on the target cluster (at once if it
     * already is); fails when the watcher is closed or breaks first. Callers put their own timeout on it.
     */
    public CompletableFuture<Void> whenReplicated(int partition, long sourceOffset) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (waiters) {
            if (isReplicated(partition, sourceOffset)) {
                future.complete(null);
            } else if (!running || failure != null) {
                future.completeExceptionally(new IllegalStateException("replication watcher of " + mirroredTopic
                        + " is closed", failure));
            } else {
                waiters.computeIfAbsent(partition, p -> new TreeMap<>())
                        .computeIfAbsent(sourceOffset, o -> new ArrayList<>())
                        .add(future);
            }
        }
        return future;
    }

    private void run() {
        Set<Integer> assigned = new HashSet<>();
        long lastMetadataCheck = System.nanoTime() - METADATA_REFRESH_NANOS;
        try {
            while (running) {
                if (System.nanoTime() - lastMetadataCheck >= METADATA_REFRESH_NANOS) {
                    lastMetadataCheck = System.nanoTime();
                    assignNewPartitions(assigned);
                }
                if (assigned.isEmpty()) {
                    // Nothing to poll yet; wait for the next metadata check without spinning.
                    TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    UpstreamOffsets.decode(record.headers())
                            .ifPresent(offset -> advance(record.partition(), offset));
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up: the normal way out.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("replication watcher of {} stopped", mirroredTopic, e);
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            failWaiters();
        }
    }

    /** Assigns partitions not read yet, starting at each one's newest record so the current position is known. */
    private void assignNewPartitions(Set<Integer> assigned) {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(mirroredTopic, Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("no metadata for {} yet: {}", mirroredTopic, e.toString());
            return;
        }
        List<TopicPartition> added = partitions.stream()
                .filter(info -> !assigned.contains(info.partition()))
                .map(info -> new TopicPartition(mirroredTopic, info.partition()))
                .toList();
        if (added.isEmpty()) {
            return;
        }
        Set<TopicPartition> all = new HashSet<>(consumer.assignment());
        all.addAll(added);
        consumer.assign(all);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(added);
        Map<TopicPartition, Long> ends = consumer.endOffsets(added);
        for (TopicPartition partition : added) {
            consumer.seek(partition, Math.max(beginnings.get(partition), ends.get(partition) - 1));
            assigned.add(partition.partition());
        }
        LOG.debug("watching {} partitions {}", mirroredTopic, assigned);
    }

    private void advance(int partition, long sourceOffset) {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (waiters) {
            replicatedThrough.merge(partition, sourceOffset, Math::max);
            TreeMap<Long, List<CompletableFuture<Void>>> pending = waiters.get(partition);
            if (pending != null) {
                Map<Long, List<CompletableFuture<Void>>> reached = pending.headMap(sourceOffset, true);
                reached.values().forEach(due::addAll);
                reached.clear();
            }
        }
        // Completed outside the lock: a caller's continuation may call back into the watcher.
        due.forEach(future -> future.complete(null));
    }

    private void failWaiters() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        synchronized (waiters) {
            running = false;
            waiters.values().forEach(byOffset -> byOffset.values().forEach(pending::addAll));
            waiters.clear();
        }
        IllegalStateException closed = new IllegalStateException("replication watcher of " + mirroredTopic
                + " closed before the offset arrived", failure);
        pending.forEach(future -> future.completeExceptionally(closed));
    }

    /** Stops reading and fails every pending {@link #whenReplicated} future; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
