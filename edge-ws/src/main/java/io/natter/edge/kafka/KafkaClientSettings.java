package io.natter.edge.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The edge's producer and consumer settings, each chosen for the command/fan-out paths. */
public final class KafkaClientSettings {
    private KafkaClientSettings() {}

    /**
     * Commands: durable (acks=all), no duplicates on retry (idempotence), lingering 3 ms: at thousands of sends a
     * second that groups ~10 per produce request. Produce requests were the broker's largest cost; 3 ms measured
     * −0.06 to −0.1 server cores and a lower p99 at 9,000–27,000 copies/s against 1 ms, with the same median (the
     * topology fetches commands in ≤ 5 ms batches anyway); 5 ms saved little more and added ~3 ms (bench/RESULTS.md).
     */
    public static Map<String, Object> producer(String bootstrap, String nodeId, Duration maxBlock) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, nodeId + "-commands",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 3,
                // A send must not stall a WebSocket thread longer than a request may take.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis());
    }

    /**
     * Fan-out: no group (every edge reads every partition itself, see DESIGN.md) and so no commits;
     * read_committed because the topologies write with exactly-once; short fetch wait for latency.
     */
    public static Map<String, Object> fanoutConsumer(String bootstrap, String clientId) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    }

    /**
     * Outage probe: every call bounded by {@code timeout} (a broker that does not answer within it counts as down),
     * and quick reconnects so a returning broker is noticed within about a second.
     */
    public static Map<String, Object> probe(String bootstrap, String nodeId, Duration timeout) {
        int timeoutMs = (int) timeout.toMillis();
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, nodeId + "-kafka-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    }
}
