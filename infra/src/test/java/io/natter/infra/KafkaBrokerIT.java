package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaBrokerIT {
    private static final String TOPIC = "it.kafka-broker.v1";

    @TempDir
    Path dataDir;

    @Test
    void deliversAProducedRecordToAConsumer() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dataDir, 0)) {
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(Integer.parseInt(broker.bootstrapServers().substring("127.0.0.1:".length()))).isLessThan(32768);
            broker.createTopics(List.of(TOPIC), 3);

            produce(broker, "room-1", "hello");

            assertThat(consumeAll(broker, 1)).containsExactly("room-1=hello");
        }
    }

    @Test
    void commitsATransactionForReadCommittedConsumers() throws Exception {
        // Exactly-once Streams needs the transaction state log, which a single broker can only host with RF 1.
        try (KafkaBroker broker = KafkaBroker.start(dataDir, 0)) {
            broker.createTopics(List.of(TOPIC), 1);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx"), new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "room-1", "in a transaction"));
                producer.commitTransaction();
            }

            assertThat(consumeAll(broker, 1, "read_committed")).containsExactly("room-1=in a transaction");
        }
    }

    @Test
    void createTopicsLeavesExistingTopicsAsTheyAre() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dataDir, 0)) {
            broker.createTopics(List.of(TOPIC), 3);
            broker.createTopics(List.of(TOPIC, "it.other.v1"), 6);

            try (Admin admin = admin(broker)) {
                var topics = admin.describeTopics(List.of(TOPIC, "it.other.v1")).allTopicNames().get();
                assertThat(topics.get(TOPIC).partitions()).hasSize(3);
                assertThat(topics.get("it.other.v1").partitions()).hasSize(6);
                assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder(TOPIC, "it.other.v1");
            }
        }
    }

    @Test
    void keepsTopicsAndRecordsAcrossARestartOnTheSameDataDir() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dataDir, 0)) {
            broker.createTopics(List.of(TOPIC), 2);
            produce(broker, "room-1", "before restart");
        }
        try (KafkaBroker restarted = KafkaBroker.start(dataDir, 0)) {
            try (Admin admin = admin(restarted)) {
                assertThat(admin.listTopics().names().get()).containsExactly(TOPIC);
            }
            assertThat(consumeAll(restarted, 1)).containsExactly("room-1=before restart");
        }
    }

    private static void produce(KafkaBroker broker, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads every partition from the beginning until {@code expected} records arrived, then a little longer for extras. */
    private static List<String> consumeAll(KafkaBroker broker, int expected) {
        return consumeAll(broker, expected, "read_uncommitted");
    }

    private static List<String> consumeAll(KafkaBroker broker, int expected, String isolationLevel) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(record.key() + "=" + record.value());
                }
                return seen.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(300)).forEach(record -> seen.add(record.key() + "=" + record.value()));
        }
        return seen;
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
