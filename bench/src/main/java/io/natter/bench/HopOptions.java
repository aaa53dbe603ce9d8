package io.natter.bench;

import io.natter.bench.OptionSpec.Scope;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The command line of {@code ./bench/hops}, parsed by the pure {@link #parse}. Each option is declared once in
 * {@link #SPECS}; bench/README.md's table is checked against it.
 */
record HopOptions(String bootstrap, String schemaRegistry, Duration warmup, Duration duration, Duration drain,
        Optional<URI> edgeMetrics, int fetchMaxWaitMs, Optional<Path> json) {

    static final List<OptionSpec> SPECS = List.of(
            new OptionSpec("bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers of the running stack", Scope.ANY),
            new OptionSpec("schema-registry", "http://127.0.0.1:8081/apis/ccompat/v7", "schema registry "
                    + "(Confluent API) the records are decoded with", Scope.ANY),
            new OptionSpec("warmup-s", "5", "seconds of reading before measuring; messages first seen then are not "
                    + "counted", Scope.ANY),
            new OptionSpec("duration-s", "30", "seconds measured: messages this tool first sees in this window count",
                    Scope.ANY),
            new OptionSpec("drain-s", "5", "after the window, wait at most this long for the rest of the window's "
                    + "messages (a send the topology refused never gets a fan-out, so it waits the whole drain)",
                    Scope.ANY),
            new OptionSpec("edge-metrics", "http://127.0.0.1:8080/metrics", "an edge's Prometheus scrape, read at "
                    + "the window's start and end for `chat_fanout_dispatch_ms` and `chat_messages_fanout_latency_ms`; "
                    + "`none` skips it", Scope.ANY),
            new OptionSpec("fetch-max-wait-ms", "5", "`fetch.max.wait.ms` of this tool's three consumers: the "
                    + "bound of their poll floor", Scope.ANY),
            new OptionSpec("json", "", "also write the report as JSON to this file", Scope.ANY),
            new OptionSpec("help", null, "print the options and exit", Scope.ANY));

    /** Parses {@code args}. */
    static HopOptions parse(List<String> args) {
        Map<String, String> given = OptionSpec.given(args, SPECS);
        String metrics = string(given, "edge-metrics");
        Optional<URI> edgeMetrics = Optional.empty();
        if (!metrics.equals("none") && !metrics.isEmpty()) {
            if (!metrics.startsWith("http://") && !metrics.startsWith("https://")) {
                throw new UsageException("--edge-metrics: an http:// URL or none, got " + metrics);
            }
            edgeMetrics = Optional.of(URI.create(metrics));
        }
        String bootstrap = string(given, "bootstrap");
        if (bootstrap.isEmpty()) {
            throw new UsageException("--bootstrap: give host:port");
        }
        String json = string(given, "json");
        return new HopOptions(bootstrap, string(given, "schema-registry"),
                Duration.ofSeconds(wholeNumber(given, "warmup-s", 0)),
                Duration.ofSeconds(wholeNumber(given, "duration-s", 1)),
                Duration.ofSeconds(wholeNumber(given, "drain-s", 0)), edgeMetrics,
                wholeNumber(given, "fetch-max-wait-ms", 0),
                json.isEmpty() ? Optional.empty() : Optional.of(Path.of(json)));
    }

    /** The option list for {@code --help}. */
    static String usage() {
        StringBuilder text = new StringBuilder("usage: ./bench/hops [--option value ...]\n");
        for (OptionSpec spec : SPECS) {
            text.append(String.format(Locale.ROOT, "  --%-22s %s%s%n", spec.name() + (spec.isFlag() ? "" : " V"),
                    spec.doc().replace("`", ""), spec.isFlag() || spec.defaultValue().isEmpty() ? ""
                            : " [" + spec.defaultValue() + "]"));
        }
        return text.toString();
    }

    private static OptionSpec spec(String name) {
        return OptionSpec.find(SPECS, name);
    }

    private static String string(Map<String, String> given, String name) {
        String value = given.get(name);
        return value != null ? value.trim() : spec(name).defaultValue();
    }

    private static int wholeNumber(Map<String, String> given, String name, int least) {
        try {
            int value = Integer.parseInt(string(given, name));
            if (value < least) {
                throw new UsageException("--" + name + ": must be at least " + least);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": not a whole number: " + string(given, name), e);
        }
    }
}
