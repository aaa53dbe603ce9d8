package io.natter.topologies.telemetry;

import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.natter.topologies.RegionFence;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/** The topologies' meters: JVM, and Kafka Streams' own (kafka_stream_*), served at {@code GET /metrics}. */
public final class TopologyMetrics implements AutoCloseable {
    /** Path of the Prometheus scrape on the query server. */
    public static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics streamsMetrics;

    public TopologyMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** Adds {@code streams}' metrics (its clients' too) to the registry. */
    public void bind(KafkaStreams streams) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
    }

    /**
     * Gauge {@code chat_region_fenced{peer}}: 1 while {@code peer} fences this region (declared it DOWN, or UP
     * and the catch-up point is not known yet), else 0.
     */
    public void bindFence(RegionFence fence, List<String> peers) {
        for (String peer : peers) {
            Gauge.builder("chat_region_fenced", fence, f -> f.fencingGauge(peer)).tag("peer", peer)
                    .description("1 while the peer region fences this one (declared it down)").register(registry);
        }
    }

    /** Serves the scrape at {@link #PATH}. */
    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
    }

    /** The registry (for tests and further binders). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        gc.close();
        registry.close();
    }
}
