package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in Prometheus scrape configuration and Grafana dashboard (infra/observability/) against the code and
 * the README: targets at the dev stack's fixed ports, every PromQL metric name documented, exit criteria as panels.
 */
class ObservabilityConfigTest {
    private static final Path OBSERVABILITY = Path.of("observability");
    private static final Path DASHBOARD = OBSERVABILITY.resolve("grafana/natter-dashboard.json");
    private static final Path README = Path.of("..", "README.md");

    /**
     * Metrics of the observability branch (issue 8) not yet in the README's table when the dashboard was written:
     * Natter's own, and the Micrometer binders' (Kafka client, Kafka Streams, JVM). Once its README rows land this
     * list is redundant; a name here that is also in the table is harmless.
     */
    private static final Set<String> METRICS_BEING_ADDED = Set.of(
            "chat_messages_ingested_total",
            "chat_messages_fanout_latency_ms",
            "chat_messages_rejected_total",
            "kafka_consumer_fetch_manager_records_lag_max",
            "kafka_stream_thread_process_rate",
            "jvm_memory_used_bytes",
            "jvm_memory_max_bytes",
            "jvm_gc_pause_seconds");
    /** Written by Prometheus itself for every target. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");
    /** Series Prometheus derives from one histogram or summary family. */
    private static final List<String> FAMILY_SUFFIXES = List.of("_bucket", "_count", "_sum", "_max");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void readmeMetricsTableListsTheEdgesMetrics() throws IOException {
        assertThat(readmeMetrics()).contains("presence_online_users", "chat_ws_active_sessions",
                "chat_frames_dropped_total", "chat_slow_consumer_closes_total", "chat_kafka_up",
                "chat_outage_buffer_depth", "chat_outage_dropped_total");
    }

    @Test
    void everyDashboardQueryReadsOnlyDocumentedMetrics() throws IOException {
        Set<String> documented = readmeMetrics();
        Map<String, String> undocumented = new LinkedHashMap<>();
        for (String expr : dashboardExprs()) {
            for (String name : PromQlMetricNames.of(expr)) {
                if (!isKnown(name, documented)) {
                    undocumented.put(name, expr);
                }
            }
        }
        assertThat(undocumented).as("metric names in the dashboard that neither the README's metrics table nor "
                + "METRICS_BEING_ADDED lists (name -> query)").isEmpty();
    }

    @Test
    void dashboardShowsEveryDocumentedMetric() throws IOException {
        Set<String> used = new LinkedHashSet<>();
        dashboardExprs().forEach(expr -> used.addAll(PromQlMetricNames.of(expr)));
        Set<String> unused = new LinkedHashSet<>(readmeMetrics());
        unused.removeIf(name -> used.stream().anyMatch(u -> u.equals(name) || family(u).equals(name)));
        assertThat(unused).as("README metrics with no dashboard panel").isEmpty();
    }

    @Test
    void exitCriteriaArePanelsWithTheirBoundsAsThresholds() throws IOException {
        JsonNode dashboard = json.readTree(DASHBOARD.toFile());
        Map<String, List<Double>> stats = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("stat")) {
                List<Double> steps = new ArrayList<>();
                panel.path("fieldConfig").path("defaults").path("thresholds").path("steps")
                        .forEach(step -> steps.add(step.path("value").isNull() ? null : step.path("value").asDouble()));
                stats.put(panel.path("title").asText(), steps);
            }
        }
        Map<String, List<Double>> expected = new LinkedHashMap<>();
        expected.put("Intra-region fan-out p95 (< 150 ms)", java.util.Arrays.asList(null, 150.0));
        expected.put("Cross-region p95 (< 2 s)", java.util.Arrays.asList(null, 2000.0));
        expected.put("Backpressure: sends rate-limited (5 min)", java.util.Arrays.asList((Double) null));
        expected.put("Backpressure: slow consumers (5 min)", java.util.Arrays.asList((Double) null));
        assertThat(stats).isEqualTo(expected);
        assertThat(dashboard.path("panels").findValuesAsText("title")).contains("Presence online users");
    }

    @Test
    void everyPanelQueriesThePrometheusDatasourceVariable() throws IOException {
        JsonNode dashboard = json.readTree(DASHBOARD.toFile());
        List<String> ids = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            ids.add(panel.path("id").asText());
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(dashboard.path("uid").asText()).isEqualTo("natter-overview");
    }

    @Test
    void prometheusScrapesEveryDevStackServiceAtItsFixedPorts() throws IOException {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(OBSERVABILITY.resolve("prometheus.yml").toFile());
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            List<String> hosts = new ArrayList<>();
            job.path("static_configs").forEach(group -> group.path("targets").forEach(t -> hosts.add(t.asText())));
            targets.put(job.path("job_name").asText(), hosts);
            if (!job.path("job_name").asText().equals("prometheus")) {
                assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
            }
        }
        // The ports ./natter dev --edges 3 --topologies 2 picks when everything is free.
        DevStackPorts ports = DevStackPorts.choose(3, 2, port -> true);
        assertThat(targets).isEqualTo(Map.of(
                "natter-edge", loopback(ports.edges()),
                "natter-topologies", loopback(ports.topologyQueries()),
                "natter-attachment-api", loopback(List.of(ports.attachmentApi())),
                "prometheus", List.of("127.0.0.1:9099")));
        // Prometheus's own default, 9090, is the first edge's gRPC port.
        assertThat(ports.edgeGrpc()).doesNotContain(9099).contains(9090);
    }

    @Test
    void readsMetricNamesOutOfPromQl() {
        assertThat(PromQlMetricNames.of("histogram_quantile(0.95, sum by (le) (rate("
                + "chat_messages_fanout_latency_ms_bucket{cross_region!=\"true\"}[5m])))"))
                .containsExactly("chat_messages_fanout_latency_ms_bucket");
        assertThat(PromQlMetricNames.of("sum(increase(a_total{reason=\"RATE_LIMITED\"}[5m])) / ignoring (x) "
                + "b_gauge offset 1m or on (job) up{job=~\"natter-.*\"} > 1e3"))
                .containsExactly("a_total", "b_gauge", "up");
    }

    private static List<String> loopback(List<Integer> ports) {
        return ports.stream().map(port -> "127.0.0.1:" + port).toList();
    }

    private static boolean isKnown(String name, Set<String> documented) {
        return Stream.of(documented, METRICS_BEING_ADDED, PROMETHEUS_OWN).anyMatch(known -> known.contains(name)
                || known.contains(family(name))
                || known.stream().anyMatch(k -> k.endsWith("*") && name.startsWith(k.substring(0, k.length() - 1))));
    }

    /** {@code x} for {@code x_bucket}, {@code x_count}, {@code x_sum}, {@code x_max}; else the name itself. */
    private static String family(String name) {
        return FAMILY_SUFFIXES.stream().filter(name::endsWith).findFirst()
                .map(suffix -> name.substring(0, name.length() - suffix.length())).orElse(name);
    }

    private List<String> dashboardExprs() throws IOException {
        List<String> exprs = new ArrayList<>();
        json.readTree(DASHBOARD.toFile()).path("panels").forEach(panel -> panel.path("targets")
                .forEach(target -> exprs.add(target.path("expr").asText())));
        assertThat(exprs).isNotEmpty().doesNotContain("");
        return exprs;
    }

    /** The first-column names of the table under the README's "### Metrics" heading. */
    private static Set<String> readmeMetrics() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int start = lines.indexOf("### Metrics");
        assertThat(start).as("README has a ### Metrics section").isNotNegative();
        Pattern row = Pattern.compile("^\\|\\s*`([a-zA-Z_:*][a-zA-Z0-9_:*]*)(?:\\{[^`]*})?`\\s*\\|");
        Set<String> names = new LinkedHashSet<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher matcher = row.matcher(line);
            if (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }
}
