package io.natter.edge.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The command producer, instrumented: each send gets a PRODUCER span (its {@code traceparent} and the SEND's receive
 * time, the envelope's {@code occurredAt}, go into the record's headers), sends the broker took count as ingested,
 * and the client's metrics are bound to the registry. Everything else is delegated.
 */
public final class InstrumentedProducer implements Producer<String, RoomCommand> {
    /** Micrometer name of sends written to Kafka; Prometheus {@code chat_messages_ingested_total}. */
    public static final String INGESTED_COUNTER = "chat.messages.ingested";

    private final Producer<String, RoomCommand> delegate;
    private final EdgeTracing tracing;
    private final Counter ingested;
    private final KafkaClientMetrics clientMetrics;

    public InstrumentedProducer(Producer<String, RoomCommand> delegate, EdgeTracing tracing, MeterRegistry metrics) {
        this.delegate = delegate;
        this.tracing = tracing;
        this.ingested = ingestedCounter(metrics);
        this.clientMetrics = new KafkaClientMetrics(delegate);
        clientMetrics.bindTo(metrics);
    }

    /** The ingested counter in {@code metrics} (registered once, shared by every producer of the registry). */
    public static Counter ingestedCounter(MeterRegistry metrics) {
        return Counter.builder(INGESTED_COUNTER)
                .description("SEND_MESSAGE commands taken by this service and written to Kafka")
                .register(metrics);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, RoomCommand> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, RoomCommand> record, Callback callback) {
        RoomCommand command = record.value();
        String sessionId = command.getOrigin() == null ? null : command.getOrigin().getSessionId();
        Span span = tracing.startPublish(tracing.parentOf(sessionId), record.topic(), record.key(),
                command.getCommandId(), record.headers());
        if (command.getOccurredAt() != null) {
            record.headers().remove(KafkaHeaders.RECEIVED_AT);
            record.headers().add(KafkaHeaders.RECEIVED_AT,
                    Long.toString(command.getOccurredAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8));
        }
        boolean isSend = command.getPayload() instanceof SendMessageRequested;
        try {
            return delegate.send(record, (metadata, error) -> {
                if (error == null) {
                    span.setAttribute(EdgeTracing.PARTITION, Integer.toString(metadata.partition()));
                    span.setAttribute(EdgeTracing.OFFSET, metadata.offset());
                    if (isSend) {
                        ingested.increment();
                    }
                } else {
                    span.recordException(error);
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
                if (callback != null) {
                    callback.onCompletion(metadata, error);
                }
            });
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            span.end();
            throw e;
        }
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        clientMetrics.close();
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        clientMetrics.close();
        delegate.close(timeout);
    }
}
