package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {
    private static LoadOptions parse(String... args) {
        return LoadOptions.parse(List.of(args), Map.of());
    }

    @Test
    void defaultsDriveTheDevStacksFirstEdgeWithMintedDevTokens() {
        LoadOptions options = parse();
        assertThat(options).isEqualTo(new LoadOptions(false, List.of(URI.create("ws://127.0.0.1:8080/ws")), 1,
                new LoadOptions.TokenSpec.Hmac("natter-dev-secret-change-me-0123456789abcdef", "natter-dev", "natter"),
                Duration.ofMinutes(120), 20, 4, 10.0, 0.2, 64, Duration.ofSeconds(5), Duration.ofSeconds(20),
                Duration.ofSeconds(15), 0, 0, 0, Duration.ZERO, OptionalLong.empty(), 200, List.of(),
                Path.of(".natter"), Optional.empty(), "", "exactly_once_v2", 15, 6, Map.of()));
        assertThat(options.idleRun()).isFalse();
    }

    @Test
    void readsEveryLoadOptionInBothSpellings() {
        LoadOptions options = parse("--edges", "ws://127.0.0.1:8080/ws, ws://127.0.0.1:8082/ws", "--clients=1000",
                "--rooms", "100", "--rate", "2.5", "--jitter", "0", "--message-bytes", "200", "--warmup-s", "0",
                "--duration-s", "60", "--drain-s", "30", "--stalled", "1", "--observers", "2", "--connect-concurrency",
                "50", "--server-pids", "edge=12,34", "--natter-dir", "/tmp/n", "--json", "out/r.json", "--label", "x y",
                "--token-ttl-min", "30");
        assertThat(options.edges()).containsExactly(URI.create("ws://127.0.0.1:8080/ws"),
                URI.create("ws://127.0.0.1:8082/ws"));
        assertThat(List.of(options.clients(), options.rooms(), options.messageBytes(), options.stalled(),
                options.observers(), options.connectConcurrency())).containsExactly(1000, 100, 200, 1, 2, 50);
        assertThat(options.rate()).isEqualTo(2.5);
        assertThat(options.jitter()).isZero();
        assertThat(List.of(options.warmup(), options.duration(), options.drain(), options.tokenTtl()))
                .containsExactly(Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(30));
        assertThat(options.serverPids()).containsExactly(new LoadOptions.NamedPid("edge", 12),
                new LoadOptions.NamedPid("pid-34", 34));
        assertThat(options.natterDir()).isEqualTo(Path.of("/tmp/n"));
        assertThat(options.json()).contains(Path.of("out/r.json"));
        assertThat(options.label()).isEqualTo("x y");
    }

    @Test
    void inProcessTakesTheStackSettingsAndNoEdgeUrls() {
        LoadOptions options = parse("--in-process", "--guarantee", "at_least_once", "--commit-interval-ms", "100",
                "--partitions", "3", "--in-process-edges", "2", "--edge-env",
                "NATTER_RATE_LIMIT_PER_SECOND=100, NATTER_RATE_LIMIT_BURST=200");
        assertThat(options.inProcess()).isTrue();
        assertThat(options.edges()).isEmpty();
        assertThat(List.of(options.guarantee(), options.commitIntervalMs(), options.partitions(),
                options.inProcessEdges())).containsExactly("at_least_once", 100, 3, 2);
        assertThat(options.edgeEnv()).isEqualTo(Map.of("NATTER_RATE_LIMIT_PER_SECOND", "100",
                "NATTER_RATE_LIMIT_BURST", "200"));
    }

    @Test
    void idleModeTakesItsOwnOptions() {
        LoadOptions options = parse("--idle", "10000", "--idle-hold-s", "30", "--edge-pid", "4242");
        assertThat(options.idleRun()).isTrue();
        assertThat(options.idle()).isEqualTo(10000);
        assertThat(options.idleHold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.edgePid()).hasValue(4242);
    }

    @Test
    void jwtDefaultsFollowTheEdgesEnvironmentVariablesAndOptionsWin() {
        Map<String, String> env = Map.of("NATTER_JWT_SECRET", "s".repeat(40), "NATTER_JWT_ISSUER", "corp");
        assertThat(LoadOptions.parse(List.of(), env).tokens())
                .isEqualTo(new LoadOptions.TokenSpec.Hmac("s".repeat(40), "corp", "natter"));
        assertThat(LoadOptions.parse(List.of("--jwt-audience", "aud", "--jwt-issuer", "iss"), env).tokens())
                .isEqualTo(new LoadOptions.TokenSpec.Hmac("s".repeat(40), "iss", "aud"));
    }

    @Test
    void aTokenCommandReplacesMinting() {
        assertThat(parse("--token-command", "./natter token {user}").tokens())
                .isEqualTo(new LoadOptions.TokenSpec.Command("./natter token {user}"));
    }

    @Test
    void refusesOptionsOutsideTheirScope() {
        assertThatThrownBy(() -> parse("--guarantee", "at_least_once"))
                .isInstanceOf(UsageException.class).hasMessage("--guarantee applies only with --in-process");
        assertThatThrownBy(() -> parse("--in-process", "--edges", "ws://h:1/ws"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--edges applies only to a running stack, not with --in-process");
        assertThatThrownBy(() -> parse("--idle", "5", "--clients", "3"))
                .isInstanceOf(UsageException.class).hasMessage("--clients applies to a message-load run, not to --idle");
        assertThatThrownBy(() -> parse("--idle-hold-s", "3"))
                .isInstanceOf(UsageException.class).hasMessage("--idle-hold-s applies only with --idle N");
    }

    @Test
    void refusesBadCommandLines() {
        assertThatThrownBy(() -> parse("--clients", "5", "--rooms", "6")).isInstanceOf(UsageException.class)
                .hasMessage("--rooms 6 is more than --clients 5: every room needs a member to own it");
        assertThatThrownBy(() -> parse("--nope", "1")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown option --nope; known: --in-process --edges");
        assertThatThrownBy(() -> parse("clients")).isInstanceOf(UsageException.class)
                .hasMessage("expected --option, got 'clients'");
        assertThatThrownBy(() -> parse("--clients")).isInstanceOf(UsageException.class)
                .hasMessage("--clients needs a value");
        assertThatThrownBy(() -> parse("--in-process=yes")).isInstanceOf(UsageException.class)
                .hasMessage("--in-process takes no value");
        assertThatThrownBy(() -> parse("--clients", "1", "--clients", "2")).isInstanceOf(UsageException.class)
                .hasMessage("--clients given twice");
        assertThatThrownBy(() -> parse("--clients", "ten")).isInstanceOf(UsageException.class)
                .hasMessage("--clients: not a whole number: 'ten'");
        assertThatThrownBy(() -> parse("--clients", "0")).isInstanceOf(UsageException.class)
                .hasMessage("--clients: at least 1, got 0");
        assertThatThrownBy(() -> parse("--rate", "0")).isInstanceOf(UsageException.class)
                .hasMessage("--rate: must be above 0, got 0");
        assertThatThrownBy(() -> parse("--jitter", "1.5")).isInstanceOf(UsageException.class)
                .hasMessage("--jitter: must be in [0.0, 1.0], got 1.5");
        assertThatThrownBy(() -> parse("--edges", "http://h:1/ws")).isInstanceOf(UsageException.class)
                .hasMessage("--edges: expected ws://host:port/path, got http://h:1/ws");
        assertThatThrownBy(() -> parse("--edges", " , ")).isInstanceOf(UsageException.class)
                .hasMessage("--edges: give at least one edge URL");
        assertThatThrownBy(() -> parse("--token-command", "mint alice")).isInstanceOf(UsageException.class)
                .hasMessage("--token-command must contain {user}");
        assertThatThrownBy(() -> parse("--token-command", "mint {user}", "--jwt-secret", "x".repeat(40)))
                .isInstanceOf(UsageException.class).hasMessage("--token-command and --jwt-* are alternatives: give one");
        assertThatThrownBy(() -> parse("--server-pids", "edge=abc")).isInstanceOf(UsageException.class)
                .hasMessage("--server-pids: not a pid: edge=abc");
        assertThatThrownBy(() -> parse("--in-process", "--edge-env", "NOVALUE")).isInstanceOf(UsageException.class)
                .hasMessage("--edge-env: expected KEY=VALUE, got NOVALUE");
        assertThatThrownBy(() -> parse("--in-process", "--guarantee", "exactly_once")).isInstanceOf(UsageException.class)
                .hasMessage("--guarantee: exactly_once_v2 or at_least_once, got exactly_once");
    }

    @Test
    void restBaseIsTheEdgesHttpOrigin() {
        assertThat(LoadOptions.restBase(URI.create("ws://10.0.0.5:8082/ws"))).isEqualTo(URI.create("http://10.0.0.5:8082"));
    }

    @Test
    void usageListsEveryOption() {
        String usage = LoadOptions.usage();
        for (OptionSpec spec : LoadOptions.SPECS) {
            assertThat(usage).contains("--" + spec.name());
        }
    }

    @Test
    void readmeDocumentsEveryOptionWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (OptionSpec spec : LoadOptions.SPECS) {
            String shownDefault = spec.isFlag() || spec.defaultValue().isEmpty() ? "–" : "`" + spec.defaultValue() + "`";
            assertThat(readme).as(spec.name()).contains("| `--" + spec.name() + "` | " + shownDefault + " |");
        }
    }
}
