package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a histogram family out of a scrape, the window between two scrapes, its mean and quantiles. */
class PrometheusHistogramTest {
    private static final String BEFORE = """
            # HELP chat_fanout_dispatch_ms From the poll ...
            # TYPE chat_fanout_dispatch_ms histogram
            chat_fanout_dispatch_ms_bucket{le="0.5"} 10
            chat_fanout_dispatch_ms_bucket{le="1.0"} 10
            chat_fanout_dispatch_ms_bucket{le="2.0"} 10
            chat_fanout_dispatch_ms_bucket{le="+Inf"} 10
            chat_fanout_dispatch_ms_count 10
            chat_fanout_dispatch_ms_sum 3.0
            chat_fanout_dispatch_ms_max 0.4
            chat_messages_fanout_latency_ms_bucket{cross_region="false",le="10.0"} 1
            chat_messages_fanout_latency_ms_bucket{cross_region="false",le="+Inf"} 1
            chat_messages_fanout_latency_ms_bucket{cross_region="true",le="10.0"} 5
            chat_messages_fanout_latency_ms_bucket{cross_region="true",le="+Inf"} 5
            chat_messages_fanout_latency_ms_count{cross_region="false"} 1
            chat_messages_fanout_latency_ms_sum{cross_region="false"} 4.0
            chat_messages_fanout_latency_ms_count{cross_region="true"} 5
            chat_messages_fanout_latency_ms_sum{cross_region="true"} 40.0
            """;
    private static final String AFTER = """
            chat_fanout_dispatch_ms_bucket{le="0.5"} 60
            chat_fanout_dispatch_ms_bucket{le="1.0"} 100
            chat_fanout_dispatch_ms_bucket{le="2.0"} 109
            chat_fanout_dispatch_ms_bucket{le="+Inf"} 110
            chat_fanout_dispatch_ms_count 110
            chat_fanout_dispatch_ms_sum 63.0
            chat_messages_fanout_latency_ms_bucket{cross_region="false",le="10.0"} 3
            chat_messages_fanout_latency_ms_bucket{cross_region="false",le="+Inf"} 3
            chat_messages_fanout_latency_ms_count{cross_region="false"} 3
            chat_messages_fanout_latency_ms_sum{cross_region="false"} 16.0
            """;

    @Test
    void theWindowsMeanAndQuantilesInterpolateWithinTheBuckets() {
        PrometheusHistogram window = PrometheusHistogram.parse(AFTER, "chat_fanout_dispatch_ms", Map.of()).orElseThrow()
                .minus(PrometheusHistogram.parse(BEFORE, "chat_fanout_dispatch_ms", Map.of()).orElseThrow());

        assertThat(window.count()).isEqualTo(100.0);
        assertThat(window.mean()).isEqualTo(0.6);
        // 50 in (0, 0.5], 40 in (0.5, 1], 9 in (1, 2], 1 above 2.
        assertThat(window.quantile(0.5)).isEqualTo(0.5);
        assertThat(window.quantile(0.7)).isEqualTo(0.75);
        assertThat(window.quantile(0.95)).isCloseTo(1.5555, org.assertj.core.data.Offset.offset(0.001));
        assertThat(window.quantile(0.999)).isEqualTo(2.0);
    }

    @Test
    void readsOnlyTheLabelSetsAskedFor() {
        PrometheusHistogram local = PrometheusHistogram.parse(BEFORE, "chat_messages_fanout_latency_ms",
                Map.of("cross_region", "false")).orElseThrow();

        assertThat(local.count()).isEqualTo(1.0);
        assertThat(local.sum()).isEqualTo(4.0);
        assertThat(local.cumulative()).isEqualTo(Map.of(10.0, 1.0, Double.POSITIVE_INFINITY, 1.0));
        assertThat(PrometheusHistogram.parse(BEFORE, "chat_absent_ms", Map.of())).isEmpty();
    }

    @Test
    void anEmptyWindowReadsZero() {
        PrometheusHistogram same = PrometheusHistogram.parse(BEFORE, "chat_fanout_dispatch_ms", Map.of()).orElseThrow();

        PrometheusHistogram window = same.minus(same);
        assertThat(window.mean()).isZero();
        assertThat(window.quantile(0.99)).isZero();
    }
}
