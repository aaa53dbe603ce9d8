package io.natter.edge.telemetry;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The edge's spans: the WebSocket handshake (SERVER), each command's Kafka publish (PRODUCER, a child of its
 * socket's handshake) and each fan-out record's delivery (CONSUMER, a child of the context in its headers), with
 * W3C {@code traceparent} in Kafka headers between them.
 */
public final class EdgeTracing {
    /** The room a span is about. */
    public static final AttributeKey<String> ROOM_ID = AttributeKey.stringKey("chat.room_id");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final String HANDSHAKE_SPAN = "natter.handshake.span";
    private static final TextMapGetter<Context> HTTP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
            return List.copyOf(ctx.headerMap().keySet());
        }

        @Override
        public String get(Context ctx, String key) {
            return ctx == null ? null : ctx.header(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean enabled;
    // Each open socket's handshake context: the parent of every command the socket issues.
    private final Map<String, io.opentelemetry.context.Context> sockets = new ConcurrentHashMap<>();

    public EdgeTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.natter.edge");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.enabled = openTelemetry != OpenTelemetry.noop();
    }

    /** Traces the handshake of {@code wsPath}; register before authentication so a refused upgrade is traced too. */
    public void register(RoutesConfig routes, String wsPath) {
        if (!enabled) {
            return;
        }
        routes.wsBeforeUpgrade(wsPath, ctx -> ctx.attribute(HANDSHAKE_SPAN, tracer.spanBuilder("GET " + wsPath)
                .setSpanKind(SpanKind.SERVER)
                .setParent(propagator.extract(io.opentelemetry.context.Context.root(), ctx, HTTP_GETTER))
                .setAttribute(HTTP_METHOD, "GET")
                .setAttribute(URL_PATH, wsPath)
                .startSpan()));
        routes.wsAfterUpgrade(wsPath, ctx -> {
            if (ctx.attribute(HANDSHAKE_SPAN) instanceof Span span) {
                span.setAttribute(HTTP_STATUS, (long) ctx.statusCode());
                span.end();
            }
        });
        routes.wsBefore(wsPath, ws -> {
            ws.onConnect(ctx -> {
                if (ctx.attribute(HANDSHAKE_SPAN) instanceof Span span) {
                    span.end();
                    sockets.put(ctx.sessionId(), io.opentelemetry.context.Context.root().with(span));
                }
            });
            ws.onClose(ctx -> forget(ctx));
            ws.onError(ctx -> forget(ctx));
        });
    }

    private void forget(WsContext ctx) {
        sockets.remove(ctx.sessionId());
    }

    /** The context a command from {@code sessionId} continues: its socket's handshake, else the current one. */
    io.opentelemetry.context.Context parentOf(String sessionId) {
        io.opentelemetry.context.Context socket = sessionId == null ? null : sockets.get(sessionId);
        return socket != null ? socket : io.opentelemetry.context.Context.current();
    }

    /** Starts the PRODUCER span of a publish to {@code topic} and writes its context into {@code headers}. */
    Span startPublish(io.opentelemetry.context.Context parent, String topic, String roomId, String messageId,
            Headers headers) {
        Span span = tracer.spanBuilder("send " + topic)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION_NAME, "send")
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(MESSAGE_ID, messageId)
                .setAttribute(ROOM_ID, roomId)
                .startSpan();
        propagator.inject(parent.with(span), headers, KafkaHeaders.SETTER);
        return span;
    }

    /**
     * Runs {@code delivery} of {@code record} in a CONSUMER span that continues the context of its headers;
     * {@code context} adds to it what the delivery may read (the receive time).
     */
    void consume(ConsumerRecord<String, byte[]> record, boolean roomKeyed,
            java.util.function.UnaryOperator<io.opentelemetry.context.Context> context, Runnable delivery) {
        io.opentelemetry.context.Context parent = enabled
                ? propagator.extract(io.opentelemetry.context.Context.root(), record.headers(), KafkaHeaders.GETTER)
                : io.opentelemetry.context.Context.root();
        var builder = tracer.spanBuilder("process " + record.topic())
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, record.topic())
                .setAttribute(OPERATION_NAME, "process")
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(PARTITION, Integer.toString(record.partition()))
                .setAttribute(OFFSET, record.offset());
        if (roomKeyed && record.key() != null) {
            builder.setAttribute(ROOM_ID, record.key());
        }
        Span span = builder.startSpan();
        try (Scope ignored = context.apply(parent.with(span)).makeCurrent()) {
            delivery.run();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
