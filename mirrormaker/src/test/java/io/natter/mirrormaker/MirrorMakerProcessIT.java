package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.infra.JavaProcess;
import io.natter.infra.ModuleClasspath;
import io.natter.mirrormaker.client.RemoteTopics;
import io.natter.mirrormaker.client.ReplicationWatcher;
import io.natter.schemas.Topic;
import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.ChatMessageSent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployable as the dev stack runs it: {@code java -cp mirrormaker/target/classes:<runtime-classpath>
 * io.natter.mirrormaker.MirrorMakerApp} with {@code NATTER_MM2_*} variables, here replicating into eu only.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MirrorMakerProcessIT {
    private static final Duration REPLICATION = Duration.ofSeconds(120);
    // The JVM's exit status after SIGTERM once its shutdown hooks have run.
    private static final int SIGTERM_EXIT = 143;

    @Test
    void runsAsAChildProcessFromEnvironmentVariablesIntoTheTargetRegionOnlyAndStopsCleanlyOnSigterm(@TempDir Path dir)
            throws Exception {
        try (TwoRegions regions = TwoRegions.start(dir, TopicNames.ALL)) {
            MirrorMakerConfig config = MirrorMakerConfig.of(regions.region("us"), regions.region("eu"))
                    .withTargetRegions(Set.of("eu"));
            ModuleClasspath classpath = ModuleClasspath.of(Path.of("").toAbsolutePath().getParent(), "mirrormaker",
                    MirrorMakerApp.class.getName(), "");
            JavaProcess process = JavaProcess.start("mirrormaker", List.of(
                    "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.natter.schemas.avro",
                    "-cp", classpath.classpath(), MirrorMakerApp.class.getName()),
                    config.toEnv(), dir, dir.resolve("mirrormaker.log"));
            try {
                Topic<String, ChatMessageSent> sent = regions.topics("us").messageSent();
                RecordMetadata written;
                try (KafkaProducer<String, ChatMessageSent> producer = regions.producer("us",
                        sent.keySerde().serializer(), sent.valueSerde().serializer())) {
                    written = producer.send(new ProducerRecord<>(sent.name(), "room-1",
                            ChatEvents.sent("us", "room-1", 1))).get();
                }
                try (ReplicationWatcher watcher = ReplicationWatcher.start(regions.bootstrap("eu"), "us", sent.name())) {
                    watcher.whenReplicated(written.partition(), written.offset())
                            .get(REPLICATION.toSeconds(), TimeUnit.SECONDS);
                }
                assertThat(readOne(regions, RemoteTopics.of("us", sent.name()), written.partition(),
                        regions.topics("eu").messageSent().mirroredFrom("us")))
                        .isEqualTo(ChatEvents.sent("us", "room-1", 1));
                assertThat(regions.topicNames("us")).as("nothing replicates into us: eu is the only target")
                        .noneMatch(topic -> topic.startsWith("eu.chat."));
                assertThat(process.isAlive()).isTrue();
            } finally {
                process.stop(Duration.ofSeconds(60));
            }
            assertThat(process.onExit().get(10, TimeUnit.SECONDS).exitValue()).isEqualTo(SIGTERM_EXIT);
            assertThat(Files.readString(process.logFile())).contains("MirrorMaker stopped: flows [us->eu]");
        }
    }

    private static ChatMessageSent readOne(TwoRegions regions, String topic, int partition,
            Topic<String, ChatMessageSent> decoder) {
        try (KafkaConsumer<byte[], byte[]> consumer = regions.rawConsumer("eu")) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            ChatMessageSent[] read = new ChatMessageSent[1];
            await().atMost(REPLICATION).pollInSameThread().until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read[0] = decoder.valueSerde().deserializer().deserialize(topic, record.value());
                }
                return read[0] != null;
            });
            return read[0];
        }
    }
}
