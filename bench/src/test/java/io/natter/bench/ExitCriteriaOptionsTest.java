package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.bench.ExitCriteriaOptions.Check;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ExitCriteriaOptionsTest {
    private static ExitCriteriaOptions parse(String... args) {
        return ExitCriteriaOptions.parse(List.of(args), Map.of());
    }

    @Test
    void defaultsRunEveryCheckAgainstTheDevStacksFirstEdgeWithTheEdgesDefaults() {
        assertThat(parse()).isEqualTo(new ExitCriteriaOptions(List.of(URI.create("ws://127.0.0.1:8080/ws")),
                Optional.empty(), EnumSet.allOf(Check.class), 200, 20, 1.0, Duration.ofSeconds(5),
                Duration.ofSeconds(20), 150, 2000, 5, Duration.ofSeconds(20), 100, 20, 40, 200, 20, 4000,
                Duration.ofSeconds(30), Duration.ofMillis(1000), Duration.ofMillis(90000), OptionalLong.empty(),
                List.of("--edges", "ws://127.0.0.1:8080/ws", "--clients", "200", "--rooms", "20", "--rate", "1",
                        "--warmup-s", "5", "--duration-s", "20")));
    }

    @Test
    void edgeSettingsFollowTheEdgesEnvironmentVariablesAndOptionsWin() {
        Map<String, String> env = Map.of("NATTER_RATE_LIMIT_PER_SECOND", "100", "NATTER_RATE_LIMIT_BURST", "200",
                "NATTER_PRESENCE_OFFLINE_GRACE_MS", "500", "NATTER_PRESENCE_TTL_MS", "10000");
        ExitCriteriaOptions fromEnv = ExitCriteriaOptions.parse(List.of("--flood-messages", "300"), env);
        assertThat(List.of(fromEnv.rateLimitPerSecond(), fromEnv.rateLimitBurst())).containsExactly(100, 200);
        assertThat(List.of(fromEnv.presenceGrace(), fromEnv.presenceTtl()))
                .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(10));
        ExitCriteriaOptions given = ExitCriteriaOptions.parse(List.of("--presence-ttl-ms", "3000",
                "--rate-limit-burst=10", "--flood-messages", "300"), env);
        assertThat(given.presenceTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(given.rateLimitBurst()).isEqualTo(10);
    }

    @Test
    void takesAPeerEdgeAnEdgeToKillAndASubsetOfChecks() {
        ExitCriteriaOptions options = parse("--edges", "ws://127.0.0.1:8080/ws,ws://127.0.0.1:8082/ws",
                "--peer-edge", "ws://127.0.0.1:18080/ws", "--edge-pid", "4242", "--only", "presence, cross-region");
        assertThat(options.peerEdge()).contains(URI.create("ws://127.0.0.1:18080/ws"));
        assertThat(options.edgePid()).hasValue(4242);
        assertThat(options.checks()).containsExactly(Check.CROSS_REGION, Check.PRESENCE);
        assertThat(options.loadArgs()).containsSequence("--edges", "ws://127.0.0.1:8080/ws,ws://127.0.0.1:8082/ws");
    }

    @Test
    void refusesWhatWouldMeasureSomethingElse() {
        assertThatThrownBy(() -> parse("--edge-pid", "42")).isInstanceOf(UsageException.class)
                .hasMessageContaining("two or more --edges");
        assertThatThrownBy(() -> parse("--flood-messages", "40")).isInstanceOf(UsageException.class)
                .hasMessageContaining("must exceed the burst 40");
        assertThatThrownBy(() -> parse("--only", "latency")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown check 'latency'");
        assertThatThrownBy(() -> parse("--rooms", "300")).isInstanceOf(UsageException.class)
                .hasMessageContaining("every room needs a client");
        assertThatThrownBy(() -> parse("--peer-edge", "http://x:1/ws")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> parse("--clients")).isInstanceOf(UsageException.class).hasMessage("--clients needs a value");
        assertThatThrownBy(() -> parse("--bogus", "1")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown option --bogus");
    }

    @Test
    void readmeTableListsEveryOptionWithItsDefault() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("### Exit-criteria options");
        assertThat(start).isNotNegative();
        List<String> rows = lines.subList(start, lines.size()).stream().takeWhile(line -> !line.startsWith("## "))
                .filter(line -> line.startsWith("| `--")).toList();
        assertThat(rows).containsExactlyElementsOf(ExitCriteriaOptions.SPECS.stream()
                .map(spec -> "| `--" + spec.name() + "` | " + (spec.isFlag() || spec.defaultValue().isEmpty() ? "–"
                        : "`" + spec.defaultValue() + "`") + " | " + spec.doc() + " |")
                .toList());
    }
}
