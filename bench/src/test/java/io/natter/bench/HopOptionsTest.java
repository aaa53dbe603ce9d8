package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command line of ./bench/hops: defaults, values, refusals, and README's table against the code. */
class HopOptionsTest {

    @Test
    void defaultsReadTheDevStack() {
        assertThat(HopOptions.parse(List.of())).isEqualTo(new HopOptions("127.0.0.1:9092",
                "http://127.0.0.1:8081/apis/ccompat/v7", Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Optional.of(URI.create("http://127.0.0.1:8080/metrics")), 5, Optional.empty()));
    }

    @Test
    void takesEveryOption() {
        assertThat(HopOptions.parse(List.of("--bootstrap", "127.0.0.1:19092", "--schema-registry", "http://r:1/x",
                "--warmup-s=0", "--duration-s", "60", "--drain-s", "10", "--edge-metrics", "none",
                "--fetch-max-wait-ms", "1", "--json", "bench/target/hops.json"))).isEqualTo(new HopOptions(
                "127.0.0.1:19092", "http://r:1/x", Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Optional.empty(), 1, Optional.of(Path.of("bench/target/hops.json"))));
    }

    @Test
    void refusesWhatItCannotRun() {
        assertThatThrownBy(() -> HopOptions.parse(List.of("--duration-s", "0"))).isInstanceOf(UsageException.class)
                .hasMessage("--duration-s: must be at least 1");
        assertThatThrownBy(() -> HopOptions.parse(List.of("--edge-metrics", "127.0.0.1:8080")))
                .isInstanceOf(UsageException.class).hasMessageContaining("an http:// URL or none");
        assertThatThrownBy(() -> HopOptions.parse(List.of("--warmup-s", "x"))).isInstanceOf(UsageException.class)
                .hasMessage("--warmup-s: not a whole number: x");
        assertThatThrownBy(() -> HopOptions.parse(List.of("--rate", "1"))).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown option --rate");
        assertThatThrownBy(() -> HopOptions.parse(List.of("--json"))).isInstanceOf(UsageException.class)
                .hasMessage("--json needs a value");
    }

    @Test
    void readmeTableListsEveryOptionWithItsDefault() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("### Hop options");
        assertThat(start).isNotNegative();
        List<String> rows = lines.subList(start, lines.size()).stream().takeWhile(line -> !line.startsWith("## "))
                .filter(line -> line.startsWith("| `--")).toList();
        assertThat(rows).containsExactlyElementsOf(HopOptions.SPECS.stream()
                .map(spec -> "| `--" + spec.name() + "` | " + (spec.isFlag() || spec.defaultValue().isEmpty() ? "–"
                        : "`" + spec.defaultValue() + "`") + " | " + spec.doc() + " |")
                .toList());
    }
}
