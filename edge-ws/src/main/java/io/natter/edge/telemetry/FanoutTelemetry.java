package io.natter.edge.telemetry;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.natter.edge.kafka.FanoutObserver;
import io.natter.edge.kafka.InboundEvents;
import io.natter.schemas.TopicNames;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The fan-out consumer's telemetry: its Kafka client metrics (records-lag-max, ...), a CONSUMER span per record, and
 * {@code chat_messages_fanout_latency_ms}, recorded once per local recipient session of each message, from the
 * receive time the sending edge put in the record's headers to the write of the frame to the session's socket; and
 * {@code chat_fanout_dispatch_ms}, once per message record, from the poll that returned it to that write for its
 * last local recipient (the edge's own share of the path, measured by ./bench/hops). Copies are handed to the
 * sockets in batches and written at the batch's flush, so both are taken when the flush is done.
 */
public final class FanoutTelemetry implements FanoutObserver {
    /** Micrometer name of the fan-out latency; Prometheus {@code chat_messages_fanout_latency_ms}. */
    public static final String LATENCY_SUMMARY = "chat.messages.fanout.latency";
    /** Micrometer name of the poll-to-hand-off time; Prometheus {@code chat_fanout_dispatch_ms}. */
    public static final String DISPATCH_SUMMARY = "chat.fanout.dispatch";
    /** Tag telling fan-out records mirrored from another region from this region's. */
    public static final String CROSS_REGION_TAG = "cross_region";
    private static final ContextKey<Long> RECEIVED_AT = ContextKey.named("natter-received-at");
    private static final ContextKey<Boolean> CROSS_REGION = ContextKey.named("natter-cross-region");
    private static final ContextKey<Long> POLLED_AT = ContextKey.named("natter-polled-at");

    private final EdgeTracing tracing;
    private final MeterRegistry metrics;
    private final DistributionSummary latency;
    private final DistributionSummary crossRegionLatency;
    private final DistributionSummary dispatch;
    private final Clock clock;
    // One per fan-out consumer (an edge may run several, each on its own thread).
    private final List<KafkaClientMetrics> clientMetrics = new CopyOnWriteArrayList<>();
    // When the current poll of each fan-out consumer's thread returned.
    private final ThreadLocal<long[]> polledAtNanos = ThreadLocal.withInitial(() -> new long[1]);

    public FanoutTelemetry(EdgeTracing tracing, MeterRegistry metrics, Clock clock) {
        this.tracing = tracing;
        this.metrics = metrics;
        this.clock = clock;
        this.latency = latency(metrics, false);
        this.crossRegionLatency = latency(metrics, true);
        this.dispatch = DistributionSummary.builder(DISPATCH_SUMMARY)
                .description("From the fan-out consumer's poll returning a message record to the MESSAGE frame's "
                        + "hand-off to its last local recipient's socket, per record with a local recipient")
                .baseUnit("ms")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(2000.0)
                // Mostly under a millisecond: finer buckets there than the histogram's own.
                .serviceLevelObjectives(0.1, 0.25, 0.5)
                .register(metrics);
    }

    private static DistributionSummary latency(MeterRegistry metrics, boolean crossRegion) {
        return DistributionSummary.builder(LATENCY_SUMMARY)
                .description("From the sending edge receiving a SEND to this edge handing the MESSAGE frame to each "
                        + "recipient's socket, per copy; across machines it includes their clock difference")
                .tag(CROSS_REGION_TAG, Boolean.toString(crossRegion))
                .baseUnit("ms")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(2000.0)
                .serviceLevelObjectives(50, 150)
                .register(metrics);
    }

    @Override
    public void bind(Consumer<?, ?> consumer) {
        KafkaClientMetrics bound = new KafkaClientMetrics(consumer);
        bound.bindTo(metrics);
        clientMetrics.add(bound);
    }

    @Override
    public void polled() {
        polledAtNanos.get()[0] = System.nanoTime();
    }

    @Override
    public void deliver(ConsumerRecord<String, byte[]> record, Runnable delivery) {
        boolean roomKeyed = !record.topic().endsWith(TopicNames.MESSAGE_REJECTED);
        Long receivedAt = KafkaHeaders.receivedAt(record.headers());
        // A peer's fan-out arrives mirrored as <region>.chat.fanout.v1.
        boolean crossRegion = record.topic().endsWith("." + TopicNames.FANOUT);
        long polledAt = polledAtNanos.get()[0];
        tracing.consume(record, roomKeyed, context -> receivedAt == null ? context
                : context.with(RECEIVED_AT, receivedAt).with(CROSS_REGION, crossRegion).with(POLLED_AT, polledAt),
                delivery);
    }

    /** A message's copies handed to local sessions, waiting for the flush that writes them. */
    private record Handed(long receivedAt, boolean crossRegion, int copies, Long polledAt) { }

    /**
     * {@code delivery}, recording the latency of every copy of a message it hands to a local session; one per fan-out
     * consumer, called only on its thread.
     */
    public InboundEvents measured(InboundEvents delivery) {
        return new InboundEvents() {
            private final List<Handed> handed = new ArrayList<>();

            @Override
            public int onFanout(Fanout fanout) {
                int local = delivery.onFanout(fanout);
                Long receivedAt = Context.current().get(RECEIVED_AT);
                if (receivedAt == null || !(fanout.getEvent() instanceof ChatMessage)) {
                    return local;
                }
                if (local > 0) {
                    handed.add(new Handed(receivedAt, Boolean.TRUE.equals(Context.current().get(CROSS_REGION)),
                            local, Context.current().get(POLLED_AT)));
                }
                return local;
            }

            @Override
            public void flush() {
                delivery.flush();
                long writtenAt = clock.millis();
                long writtenNanos = System.nanoTime();
                for (Handed message : handed) {
                    // Negative when this edge's clock is behind the sender's: counted as 0 rather than lost.
                    long millis = Math.max(0, writtenAt - message.receivedAt());
                    DistributionSummary summary = message.crossRegion() ? crossRegionLatency : latency;
                    for (int copy = 0; copy < message.copies(); copy++) {
                        summary.record(millis);
                    }
                    Long polledAt = message.polledAt();
                    if (polledAt != null && polledAt != 0) {
                        // A summary drops negative amounts: clamp, so the count always matches the records.
                        dispatch.record(Math.max(0, writtenNanos - polledAt) / 1e6);
                    }
                }
                handed.clear();
            }

            @Override
            public void onRejection(Rejection rejection) {
                delivery.onRejection(rejection);
            }

            @Override
            public void onMembership(RoomMembershipEvent event) {
                delivery.onMembership(event);
            }
        };
    }

    /** Unbinds the consumers' client metrics. */
    public void close() {
        clientMetrics.forEach(KafkaClientMetrics::close);
        clientMetrics.clear();
    }
}
