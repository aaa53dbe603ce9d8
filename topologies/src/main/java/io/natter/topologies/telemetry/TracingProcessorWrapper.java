package io.natter.topologies.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorWrapper;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.api.WrappedFixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.WrappedProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Kafka Streams' processor wrapper (KIP-1112, {@code processor.wrapper.class}) that traces the command judge: each
 * command is processed in a CONSUMER span, child of the {@code traceparent} in its headers, and the record the judge
 * sees carries the span's own context, which the judge copies to every output (so the edges' spans are its children).
 * The OpenTelemetry instance comes in the streams config under {@link #OPEN_TELEMETRY_CONFIG}; absent = no tracing.
 */
public final class TracingProcessorWrapper implements ProcessorWrapper {
    /** Streams config key holding the {@link OpenTelemetry} instance (an object, not a string). */
    public static final String OPEN_TELEMETRY_CONFIG = "natter.opentelemetry";
    /** The processors traced: the room command judge of {@code RoomTopology}. */
    static final Set<String> TRACED = Set.of("judge-room-command");
    private static final AttributeKey<String> ROOM_ID = AttributeKey.stringKey("chat.room_id");
    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    private static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(header -> keys.add(header.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };
    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    // Set once by configure(), before any wrap call (Kafka Streams configures the wrapper it instantiates); null = off.
    private Tracer tracer;
    private TextMapPropagator propagator;
    private String applicationId;

    @Override
    public void configure(Map<String, ?> configs) {
        Object instance = configs.get(OPEN_TELEMETRY_CONFIG);
        if (!(instance instanceof OpenTelemetry openTelemetry) || openTelemetry == OpenTelemetry.noop()) {
            return; // Tracing off: the judge runs unwrapped.
        }
        tracer = openTelemetry.getTracer("io.natter.topologies");
        propagator = openTelemetry.getPropagators().getTextMapPropagator();
        applicationId = String.valueOf(configs.get(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    @Override
    public <KIn, VIn, KOut, VOut> WrappedProcessorSupplier<KIn, VIn, KOut, VOut> wrapProcessorSupplier(
            String processorName, ProcessorSupplier<KIn, VIn, KOut, VOut> supplier) {
        if (tracer == null || !TRACED.contains(processorName)) {
            return ProcessorWrapper.asWrapped(supplier);
        }
        return new WrappedProcessorSupplier<>() {
            @Override
            public Processor<KIn, VIn, KOut, VOut> get() {
                return new TracedProcessor<>(supplier.get());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return supplier.stores();
            }
        };
    }

    @Override
    public <KIn, VIn, VOut> WrappedFixedKeyProcessorSupplier<KIn, VIn, VOut> wrapFixedKeyProcessorSupplier(
            String processorName, FixedKeyProcessorSupplier<KIn, VIn, VOut> supplier) {
        return ProcessorWrapper.asWrappedFixedKey(supplier);
    }

    /** Runs the wrapped processor in a span per record, the record's trace headers replaced by the span's. */
    private final class TracedProcessor<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
        private final Processor<KIn, VIn, KOut, VOut> delegate;
        private ProcessorContext<KOut, VOut> context;

        TracedProcessor(Processor<KIn, VIn, KOut, VOut> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void init(ProcessorContext<KOut, VOut> context) {
            this.context = context;
            delegate.init(context);
        }

        @Override
        public void process(Record<KIn, VIn> record) {
            Context parent = propagator.extract(Context.root(), record.headers(), GETTER);
            String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
            var builder = tracer.spanBuilder("process " + topic)
                    .setSpanKind(SpanKind.CONSUMER)
                    .setParent(parent)
                    .setAttribute(MESSAGING_SYSTEM, "kafka")
                    .setAttribute(DESTINATION, topic)
                    .setAttribute(OPERATION_NAME, "process")
                    .setAttribute(OPERATION_TYPE, "process")
                    .setAttribute(CONSUMER_GROUP, applicationId);
            context.recordMetadata().ifPresent(metadata -> builder
                    .setAttribute(PARTITION, Integer.toString(metadata.partition()))
                    .setAttribute(OFFSET, metadata.offset()));
            if (record.key() != null) {
                builder.setAttribute(ROOM_ID, record.key().toString());
            }
            Span span = builder.startSpan();
            Context current = parent.with(span);
            Headers headers = new RecordHeaders(record.headers().toArray());
            propagator.inject(current, headers, SETTER);
            try (Scope ignored = current.makeCurrent()) {
                delegate.process(record.withHeaders(headers));
            } catch (RuntimeException e) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR);
                throw e;
            } finally {
                span.end();
            }
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
