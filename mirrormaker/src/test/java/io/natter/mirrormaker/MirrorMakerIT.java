package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.natter.mirrormaker.client.RemoteTopics;
import io.natter.mirrormaker.client.ReplicationWatcher;
import io.natter.mirrormaker.client.UpstreamOffsets;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real regions (a broker and an Apicurio registry each) with Natter's MirrorMaker in this JVM, replicating both
 * ways with the checked-in configuration. One region pair per class: the registries are slow to start.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorMakerIT {
    private static final Duration REPLICATION = Duration.ofSeconds(90);
    // Created only after MirrorMaker runs, each in one region, to show a topic refresh after the mirrored topics exist.
    private static final String LATE_IN_US = TopicNames.ATTACHMENT_UPLOADED;
    private static final String LATE_IN_EU = TopicNames.MESSAGE_FLAGGED;
    private static final int LATENCY_RECORDS = 1000;
    // Records sent and timed but not counted, so class loading and JIT in the first flow do not weigh on its numbers.
    private static final int LATENCY_WARM_UP_RECORDS = 200;
    private static final int LATENCY_RATE_PER_SECOND = 200;

    private TwoRegions regions;
    private MirrorMakerApp mirrorMaker;

    @BeforeAll
    void startRegionsAndMirrorMaker(@TempDir Path dir) {
        List<String> topics = TopicNames.ALL.stream().filter(t -> !t.equals(LATE_IN_US) && !t.equals(LATE_IN_EU)).toList();
        regions = TwoRegions.start(dir, topics);
        long started = System.nanoTime();
        mirrorMaker = MirrorMakerApp.start(MirrorMakerConfig.of(regions.region("us"), regions.region("eu")));
        mirrorMaker.awaitReplicating(Duration.ofMinutes(2));
        System.out.printf("MirrorMaker replicating %s after %d ms%n", mirrorMaker.flows(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @AfterAll
    void stopEverything() {
        try {
            if (mirrorMaker != null) {
                mirrorMaker.close();
            }
        } finally {
            if (regions != null) {
                regions.close();
            }
        }
    }

    @Test
    void mirrorsUsMessagesToEuOnTheSamePartitionWithTheSameKeyDecodableWithTheEuRegistry() throws Exception {
        assertMirroredWithTranslatedIds("us", "eu", "us-room-", 30);
    }

    @Test
    void mirrorsEuMessagesToUsTheSameWay() throws Exception {
        assertMirroredWithTranslatedIds("eu", "us", "eu-room-", 12);
    }

    @Test
    void neverMirrorsAMirroredTopicBack() {
        regions.broker("us").createTopics(List.of(LATE_IN_US), TwoRegions.PARTITIONS);
        regions.broker("eu").createTopics(List.of(LATE_IN_EU), TwoRegions.PARTITIONS);
        // Once both late topics are mirrored, each flow has listed its source's topics while that source already
        // held mirrored ones: a cycle (eu.us.chat.… on us) would exist by now.
        await().atMost(REPLICATION).until(() -> regions.topicNames("eu").contains(RemoteTopics.of("us", LATE_IN_US))
                && regions.topicNames("us").contains(RemoteTopics.of("eu", LATE_IN_EU)));

        Set<String> usLocal = without(TopicNames.ALL, LATE_IN_EU);
        Set<String> euLocal = without(TopicNames.ALL, LATE_IN_US);
        assertThat(chatTopics(regions.topicNames("us"))).isEqualTo(union(usLocal, mirrored("eu", euLocal)));
        assertThat(chatTopics(regions.topicNames("eu"))).isEqualTo(union(euLocal, mirrored("us", usLocal)));
        assertThat(regions.topicNames("us")).noneMatch(topic -> topic.startsWith("us.") || topic.startsWith("eu.us."));
        assertThat(regions.topicNames("eu")).noneMatch(topic -> topic.startsWith("eu.") || topic.startsWith("us.eu."));
    }

    @Test
    void translatesAConsumerGroupsOffsetsSoItResumesOnTheMirroredTopicWhereItStopped() throws Exception {
        String group = "natter-it-failover-reader";
        Topic<String, RoomCommand> commands = regions.topics("us").messageRequested();
        produceCommands(commands, "first-", 40);
        Map<TopicPartition, OffsetAndMetadata> committed = consumeAllAndCommit(group, commands.name(), 40);
        String mirroredTopic = RemoteTopics.of("us", commands.name());
        Map<TopicPartition, Long> expected = committed.entrySet().stream()
                .filter(entry -> entry.getValue().offset() > 0)
                .collect(Collectors.toMap(entry -> new TopicPartition(mirroredTopic, entry.getKey().partition()),
                        entry -> entry.getValue().offset()));

        // Checkpoints on eu translate the us offsets (MirrorMaker's own client API) ...
        await().atMost(REPLICATION).untilAsserted(() -> assertThat(offsets(RemoteClusterUtils.translateOffsets(
                Map.of("bootstrap.servers", regions.bootstrap("eu")), "us", group, Duration.ofSeconds(10))))
                .isEqualTo(expected));
        // ... and sync.group.offsets writes them into the group on eu, which is not active there.
        try (Admin eu = regions.admin("eu")) {
            await().atMost(REPLICATION).untilAsserted(() -> assertThat(offsets(eu.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS))).isEqualTo(expected));
        }

        Set<String> later = produceCommands(commands, "later-", 5);
        Set<String> resumed = new HashSet<>();
        try (KafkaConsumer<String, RoomCommand> consumer = groupConsumer("eu", group,
                regions.topics("eu").messageRequested().mirroredFrom("us"))) {
            consumer.subscribe(List.of(mirroredTopic));
            await().atMost(REPLICATION).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> resumed.add(record.value().getEventId()));
                return resumed.size() >= later.size();
            });
        }
        assertThat(resumed).as("the group on eu reads what it had not read on us, and nothing it had")
                .isEqualTo(later);
    }

    @Test
    void replicationWatcherTellsWhenAnOffsetOfTheSourceTopicIsOnTheTargetCluster() throws Exception {
        Topic<String, ChatMessageSent> sent = regions.topics("us").messageSent();
        ReplicationWatcher watcher = ReplicationWatcher.start(regions.bootstrap("eu"), "us", sent.name());
        try (KafkaProducer<String, ChatMessageSent> producer = regions.producer("us", sent.keySerde().serializer(),
                sent.valueSerde().serializer())) {
            assertThat(watcher.mirroredTopic()).isEqualTo("us.chat.message.sent.v1");
            RecordMetadata first = producer.send(new ProducerRecord<>(sent.name(), "watched-room",
                    ChatEvents.sent("us", "watched-room", 1))).get();
            CompletableFuture<Void> arrived = watcher.whenReplicated(first.partition(), first.offset());
            CompletableFuture<Void> neverWritten = watcher.whenReplicated(first.partition(), first.offset() + 1_000);

            arrived.get(REPLICATION.toSeconds(), TimeUnit.SECONDS);
            assertThat(watcher.isReplicated(first.partition(), first.offset())).isTrue();
            assertThat(watcher.replicatedThrough(first.partition())).hasValue(first.offset());
            assertThat(watcher.isReplicated(first.partition(), first.offset() + 1)).isFalse();
            assertThat(neverWritten).isNotDone();
            assertThat(readMirrored("eu", RemoteTopics.of("us", sent.name()), first.partition(), first.offset()))
                    .as("the record is on eu when the watcher says so").isTrue();

            // A watcher started later knows at once (from the newest mirrored record) how far replication went.
            try (ReplicationWatcher late = ReplicationWatcher.start(regions.bootstrap("eu"), "us", sent.name())) {
                late.whenReplicated(first.partition(), first.offset()).get(30, TimeUnit.SECONDS);
                assertThat(late.replicatedThrough(first.partition())).hasValue(first.offset());
            }

            watcher.close();
            assertThatThrownBy(() -> neverWritten.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> watcher.whenReplicated(first.partition(), first.offset() + 1).get(10, TimeUnit.SECONDS))
                    .as("a closed watcher answers no new question").isInstanceOf(ExecutionException.class);
        } finally {
            watcher.close();
        }
    }

    @Test
    void measuresReplicationLatencyBothWays() throws Exception {
        for (List<String> flow : List.of(List.of("us", "eu"), List.of("eu", "us"))) {
            measureLatency(flow.get(0), flow.get(1), LATENCY_WARM_UP_RECORDS);
            long[] latencies = measureLatency(flow.get(0), flow.get(1), LATENCY_RECORDS);
            Arrays.sort(latencies);
            System.out.printf("REPLICATION LATENCY %s->%s: %d records at %d/s, p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                    flow.get(0), flow.get(1), latencies.length, LATENCY_RATE_PER_SECOND, percentile(latencies, 50),
                    percentile(latencies, 90), percentile(latencies, 99), latencies[latencies.length - 1]);
        }
    }

    private void assertMirroredWithTranslatedIds(String source, String target, String roomPrefix, int count)
            throws Exception {
        Topic<String, ChatMessageSent> sourceTopic = regions.topics(source).messageSent();
        Map<String, ChatMessageSent> events = new LinkedHashMap<>();
        Map<String, RecordMetadata> written = new HashMap<>();
        try (KafkaProducer<String, ChatMessageSent> producer = regions.producer(source,
                sourceTopic.keySerde().serializer(), sourceTopic.valueSerde().serializer())) {
            for (int i = 1; i <= count; i++) {
                String room = roomPrefix + (i % 6);
                ChatMessageSent event = ChatEvents.sent(source, room, i);
                events.put(event.getEventId(), event);
                written.put(event.getEventId(), producer.send(new ProducerRecord<>(sourceTopic.name(), room, event)).get());
            }
        }
        String mirroredTopic = RemoteTopics.of(source, TopicNames.MESSAGE_SENT);
        Topic<String, ChatMessageSent> targetTopic = regions.topics(target).messageSent().mirroredFrom(source);
        int sourceId = regions.registry(source).lookup(sourceTopic.name() + "-value", ChatMessageSent.getClassSchema());

        Map<String, ConsumerRecord<byte[], byte[]>> mirrored = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = regions.rawConsumer(target)) {
            List<TopicPartition> partitions = consumer.partitionsFor(mirroredTopic).stream()
                    .map(info -> new TopicPartition(mirroredTopic, info.partition())).toList();
            assertThat(partitions).as("MirrorMaker creates the remote topic with the source's partition count")
                    .hasSize(TwoRegions.PARTITIONS);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(REPLICATION).pollInSameThread().until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String eventId = targetTopic.valueSerde().deserializer().deserialize(mirroredTopic, record.value())
                            .getEventId();
                    if (events.containsKey(eventId)) {
                        assertThat(mirrored.put(eventId, record)).as("mirrored once: " + eventId).isNull();
                    }
                }
                return mirrored.size() == events.size();
            });
        }

        assertThat(mirrored.keySet()).isEqualTo(events.keySet());
        for (Map.Entry<String, ConsumerRecord<byte[], byte[]>> entry : mirrored.entrySet()) {
            ConsumerRecord<byte[], byte[]> record = entry.getValue();
            RecordMetadata original = written.get(entry.getKey());
            ChatMessageSent event = events.get(entry.getKey());
            int targetId = ByteBuffer.wrap(record.value(), 1, 4).getInt();
            assertThat(record.partition()).isEqualTo(original.partition());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.getPayload().getRoomId());
            assertThat(targetTopic.valueSerde().deserializer().deserialize(mirroredTopic, record.value())).isEqualTo(event);
            assertThat(targetId).as("the value carries %s's id for the schema, not %s's", target, source)
                    .isNotEqualTo(sourceId);
            assertThat(regions.registry(target).schemaById(targetId)).isEqualTo(ChatMessageSent.getClassSchema());
            assertThat(UpstreamOffsets.decode(record.headers())).hasValue(original.offset());
            assertThat(record.timestamp()).isEqualTo(original.timestamp());
        }
    }

    private Set<String> produceCommands(Topic<String, RoomCommand> commands, String actorPrefix, int count)
            throws Exception {
        Set<String> eventIds = new HashSet<>();
        try (KafkaProducer<String, RoomCommand> producer = regions.producer("us", commands.keySerde().serializer(),
                commands.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                RoomCommand command = ChatEvents.joinCommand("us", "room-" + (i % 12), actorPrefix + i);
                eventIds.add(command.getEventId());
                producer.send(new ProducerRecord<>(commands.name(), "room-" + (i % 12), command)).get();
            }
        }
        return eventIds;
    }

    private Map<TopicPartition, OffsetAndMetadata> consumeAllAndCommit(String group, String topic, int count) {
        try (KafkaConsumer<String, RoomCommand> consumer = groupConsumer("us", group, regions.topics("us").messageRequested())) {
            consumer.subscribe(List.of(topic));
            AtomicInteger read = new AtomicInteger();
            await().atMost(REPLICATION).pollInSameThread().until(() -> {
                read.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
                return read.get() >= count;
            });
            assertThat(read.get()).isEqualTo(count);
            consumer.commitSync();
            return consumer.committed(consumer.assignment());
        }
    }

    private KafkaConsumer<String, RoomCommand> groupConsumer(String region, String group, Topic<String, RoomCommand> topic) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, regions.bootstrap(region),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), topic.valueSerde().deserializer());
    }

    private boolean readMirrored(String target, String topic, int partition, long sourceOffset) {
        try (KafkaConsumer<byte[], byte[]> consumer = regions.rawConsumer(target)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<Long> upstream = new ArrayList<>();
            await().atMost(REPLICATION).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record ->
                        UpstreamOffsets.decode(record.headers()).ifPresent(upstream::add));
                return consumer.position(tp) >= end;
            });
            return upstream.contains(sourceOffset);
        }
    }

    /** Writes {@code records} at a steady rate in {@code source} and times each one's arrival in {@code target}. */
    private long[] measureLatency(String source, String target, int records) throws Exception {
        Topic<String, RoomMembershipEvent> membership = regions.topics(source).roomMembership();
        String mirroredTopic = RemoteTopics.of(source, membership.name());
        byte[] value = membership.valueSerde().serializer().serialize(membership.name(),
                ChatEvents.joined(source, "latency-room", "user"));
        long[] latencies = new long[records];
        int received = 0;
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (KafkaConsumer<byte[], byte[]> consumer = regions.rawConsumer(target);
                KafkaProducer<byte[], byte[]> producer = regions.producer(source, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(mirroredTopic).stream()
                    .map(info -> new TopicPartition(mirroredTopic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            AtomicInteger sent = new AtomicInteger();
            ScheduledFuture<?> sending = pacer.scheduleAtFixedRate(() -> {
                int n = sent.getAndIncrement();
                if (n < records) {
                    byte[] key = ("latency-room-" + (n % 30)).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(membership.name(), key, value), (metadata, e) -> {
                        if (e != null) {
                            sendFailure.compareAndSet(null, e);
                        }
                    });
                }
            }, 0, 1_000_000 / LATENCY_RATE_PER_SECOND, TimeUnit.MICROSECONDS);
            long deadline = System.nanoTime() + REPLICATION.toNanos() + TimeUnit.SECONDS.toNanos(
                    records / LATENCY_RATE_PER_SECOND);
            while (received < records && System.nanoTime() < deadline && sendFailure.get() == null) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (received < records) {
                        latencies[received] = now - record.timestamp();
                    }
                    received++;
                }
            }
            sending.cancel(false);
        } finally {
            pacer.shutdownNow();
        }
        assertThat(sendFailure.get()).isNull();
        assertThat(received).as("every record written in %s arrived in %s, and only those", source, target)
                .isEqualTo(records);
        return latencies;
    }

    private static long percentile(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return offsets.entrySet().stream()
                .filter(entry -> entry.getValue() != null && entry.getValue().offset() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
    }

    private static Set<String> chatTopics(Set<String> topics) {
        return topics.stream().filter(topic -> topic.contains("chat.")).collect(Collectors.toSet());
    }

    private static Set<String> without(Collection<String> topics, String excluded) {
        return topics.stream().filter(topic -> !topic.equals(excluded)).collect(Collectors.toSet());
    }

    private static Set<String> mirrored(String source, Set<String> topics) {
        return topics.stream().map(topic -> RemoteTopics.of(source, topic)).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        return union;
    }
}
