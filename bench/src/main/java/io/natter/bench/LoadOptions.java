package io.natter.bench;

import io.natter.bench.OptionSpec.Scope;
import io.natter.edge.EdgeConfig;
import io.natter.topologies.TopologiesConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Everything a load-generator run is told on the command line, parsed by the pure {@link #parse}. Each option is
 * declared once in {@link #SPECS} with its default and meaning; bench/README.md's table is checked against it.
 */
record LoadOptions(
        boolean inProcess,
        List<URI> edges,
        int inProcessEdges,
        TokenSpec tokens,
        Duration tokenTtl,
        int clients,
        int rooms,
        double rate,
        double jitter,
        int messageBytes,
        Duration warmup,
        Duration duration,
        Duration drain,
        int stalled,
        int observers,
        int idle,
        Duration idleHold,
        OptionalLong edgePid,
        int connectConcurrency,
        List<NamedPid> serverPids,
        Path natterDir,
        Optional<Path> json,
        String label,
        String guarantee,
        int commitIntervalMs,
        int partitions,
        Map<String, String> edgeEnv) {

    /** Where the tokens come from. */
    sealed interface TokenSpec {
        /** HS256 tokens minted here with the edge's secret, issuer and audience. */
        record Hmac(String secret, String issuer, String audience) implements TokenSpec {}

        /** A shell command printing a token for {@code {user}} on its last line of output. */
        record Command(String template) implements TokenSpec {}
    }

    /** A server process to measure: a label and a pid. */
    record NamedPid(String name, long pid) {}

    static final String DEFAULT_EDGE = "ws://127.0.0.1:8080/ws";
    static final String USER_PLACEHOLDER = "{user}";

    /** Every option, in README order. The JWT defaults follow the edge's, overridable by the same env vars. */
    static final List<OptionSpec> SPECS = List.of(
            new OptionSpec("in-process", null, "start the stack in this JVM (KRaft broker, Apicurio as a child "
                    + "process, Redis, the topology, the edges; loopback, free ports, temp dir) instead of using a "
                    + "running one", Scope.ANY),
            new OptionSpec("edges", DEFAULT_EDGE, "comma-separated WebSocket URLs of a running stack's edges; "
                    + "client i uses edge i mod count; REST calls go to the first (http://host:port)", Scope.RUNNING),
            new OptionSpec("in-process-edges", "1", "edges the in-process stack starts", Scope.IN_PROCESS),
            new OptionSpec("jwt-secret", EdgeConfig.JWT_SECRET.defaultValue(), "HS256 secret for minting tokens "
                    + "(default: `$" + EdgeConfig.JWT_SECRET.name() + "`, else the dev stack's)", Scope.RUNNING),
            new OptionSpec("jwt-issuer", EdgeConfig.JWT_ISSUER.defaultValue(), "`iss` of minted tokens (default: `$"
                    + EdgeConfig.JWT_ISSUER.name() + "`, else the dev stack's)", Scope.RUNNING),
            new OptionSpec("jwt-audience", EdgeConfig.JWT_AUDIENCE.defaultValue(), "`aud` of minted tokens (default: `$"
                    + EdgeConfig.JWT_AUDIENCE.name() + "`, else the dev stack's)", Scope.RUNNING),
            new OptionSpec("token-command", "", "instead of minting: a shell command printing a token for `{user}` "
                    + "on its last output line, e.g. `./natter token {user}` (one process per user, 8 at a time: "
                    + "slow for thousands of users)", Scope.RUNNING),
            new OptionSpec("token-ttl-min", "120", "lifetime of minted tokens; a socket is closed with 4001 at its "
                    + "token's expiry, so keep it above the run's length", Scope.ANY),
            new OptionSpec("clients", "20", "C: active WebSocket clients, each its own user", Scope.LOAD),
            new OptionSpec("rooms", "4", "R: private rooms created through REST; client i is a member of room "
                    + "i mod R (its first member owns it); at most C", Scope.LOAD),
            new OptionSpec("rate", "10", "M: messages per second each active client sends (decimals allowed); "
                    + "above the edge's `NATTER_RATE_LIMIT_PER_SECOND` (20) sends get RATE_LIMITED", Scope.LOAD),
            new OptionSpec("jitter", "0.2", "each gap between a client's sends is 1/M times a uniform factor in "
                    + "[1-j, 1+j]; the first send is at a random point of the first gap", Scope.LOAD),
            new OptionSpec("message-bytes", "64", "bytes of each message's `content` (ASCII; at least the "
                    + "id:timestamp header, about 25 bytes)", Scope.LOAD),
            new OptionSpec("warmup-s", "5", "seconds of sending before measuring; not counted", Scope.LOAD),
            new OptionSpec("duration-s", "20", "seconds measured; only messages sent in this window count",
                    Scope.LOAD),
            new OptionSpec("drain-s", "15", "after the window, wait at most this long for the copies and answers "
                    + "still on their way; whatever is missing then is lost or unanswered", Scope.LOAD),
            new OptionSpec("stalled", "0", "K extra clients, members of every room, that never read their socket "
                    + "(autoRead off); reports when the edge closed each (4008) and what it read afterwards",
                    Scope.LOAD),
            new OptionSpec("observers", "0", "extra clients, members of every room, that read normally: the "
                    + "control for `--stalled` (same fan-out, no stall)", Scope.LOAD),
            new OptionSpec("idle", "0", "N > 0: memory-per-idle-connection mode: open N idle connections and "
                    + "report the edge process's RSS and heap after GC before and after, per connection", Scope.ANY),
            new OptionSpec("idle-hold-s", "0", "keep the idle connections open this long after measuring",
                    Scope.IDLE),
            new OptionSpec("edge-pid", "", "pid of the edge process measured by `--idle` (default: the process "
                    + "listening on the edge's port)", Scope.IDLE),
            new OptionSpec("connect-concurrency", "200", "WebSocket handshakes (and token commands) in flight at "
                    + "once", Scope.ANY),
            new OptionSpec("server-pids", "", "server processes whose CPU is reported, as `name=pid` or `pid`, "
                    + "comma-separated, each with its descendants (default: every `.natter/run/*.pid`)",
                    Scope.RUNNING),
            new OptionSpec("natter-dir", ".natter", "the dev stack's data directory, for `run/*.pid`",
                    Scope.RUNNING),
            new OptionSpec("json", "", "also write the report as JSON to this file", Scope.ANY),
            new OptionSpec("label", "", "free text put in the report's first column", Scope.ANY),
            new OptionSpec("guarantee", "exactly_once_v2", "topology processing guarantee (`at_least_once` to "
                    + "compare)", Scope.IN_PROCESS),
            new OptionSpec("commit-interval-ms", TopologiesConfig.COMMIT_INTERVAL_MS.defaultValue(),
                    "topology commit interval (the product's default)", Scope.IN_PROCESS),
            new OptionSpec("partitions", "6", "partitions of every topic", Scope.IN_PROCESS),
            new OptionSpec("edge-env", "", "extra environment of the in-process edges, `KEY=VALUE,...`, e.g. "
                    + "`NATTER_RATE_LIMIT_PER_SECOND=100,NATTER_RATE_LIMIT_BURST=200`", Scope.IN_PROCESS),
            new OptionSpec("help", null, "print the options and exit", Scope.ANY));

    /** Parses {@code args}; {@code env} supplies the JWT defaults as the edge reads them. */
    static LoadOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> given = OptionSpec.given(args, SPECS);
        boolean inProcess = given.containsKey("in-process");
        Values values = new Values(given, env);
        boolean idleRun = values.intAtLeast("idle", 0) > 0;
        for (String name : given.keySet()) {
            Scope scope = spec(name).scope();
            String refusal = switch (scope) {
                case ANY -> null;
                case LOAD -> idleRun ? "applies to a message-load run, not to --idle" : null;
                case IDLE -> idleRun ? null : "applies only with --idle N";
                case IN_PROCESS -> inProcess ? null : "applies only with --in-process";
                case RUNNING -> inProcess ? "applies only to a running stack, not with --in-process" : null;
            };
            if (refusal != null) {
                throw new UsageException("--" + name + " " + refusal);
            }
        }
        int clients = values.intAtLeast("clients", 1);
        int rooms = values.intAtLeast("rooms", 1);
        if (rooms > clients) {
            throw new UsageException("--rooms " + rooms + " is more than --clients " + clients
                    + ": every room needs a member to own it");
        }
        double rate = values.positiveDouble("rate");
        double jitter = values.doubleIn("jitter", 0, 1);
        String tokenCommand = values.string("token-command");
        if (!tokenCommand.isEmpty() && !tokenCommand.contains(USER_PLACEHOLDER)) {
            throw new UsageException("--token-command must contain " + USER_PLACEHOLDER);
        }
        if (!tokenCommand.isEmpty() && (given.containsKey("jwt-secret") || given.containsKey("jwt-issuer")
                || given.containsKey("jwt-audience"))) {
            throw new UsageException("--token-command and --jwt-* are alternatives: give one");
        }
        TokenSpec tokens = tokenCommand.isEmpty()
                ? new TokenSpec.Hmac(values.jwt("jwt-secret", EdgeConfig.JWT_SECRET.name()),
                        values.jwt("jwt-issuer", EdgeConfig.JWT_ISSUER.name()),
                        values.jwt("jwt-audience", EdgeConfig.JWT_AUDIENCE.name()))
                : new TokenSpec.Command(tokenCommand);
        String edgePid = values.string("edge-pid");
        String json = values.string("json");
        return new LoadOptions(
                inProcess,
                inProcess ? List.of() : edgeUris(values.string("edges")),
                values.intAtLeast("in-process-edges", 1),
                tokens,
                Duration.ofMinutes(values.intAtLeast("token-ttl-min", 1)),
                clients,
                rooms,
                rate,
                jitter,
                values.intAtLeast("message-bytes", 1),
                Duration.ofSeconds(values.intAtLeast("warmup-s", 0)),
                Duration.ofSeconds(values.intAtLeast("duration-s", 1)),
                Duration.ofSeconds(values.intAtLeast("drain-s", 0)),
                values.intAtLeast("stalled", 0),
                values.intAtLeast("observers", 0),
                values.intAtLeast("idle", 0),
                Duration.ofSeconds(values.intAtLeast("idle-hold-s", 0)),
                edgePid.isEmpty() ? OptionalLong.empty() : OptionalLong.of(values.longAtLeast("edge-pid", 1)),
                values.intAtLeast("connect-concurrency", 1),
                serverPids(values.string("server-pids")),
                Path.of(values.string("natter-dir")),
                json.isEmpty() ? Optional.empty() : Optional.of(Path.of(json)),
                values.string("label"),
                guarantee(values.string("guarantee")),
                values.intAtLeast("commit-interval-ms", 1),
                values.intAtLeast("partitions", 1),
                keyValues(values.string("edge-env")));
    }

    /** True for a memory-per-idle-connection run. */
    boolean idleRun() {
        return idle > 0;
    }

    /** The option list for {@code --help} and usage errors. */
    static String usage() {
        StringBuilder text = new StringBuilder("usage: ./bench/load [--in-process] [--option value ...]\n");
        for (OptionSpec spec : SPECS) {
            text.append(String.format(Locale.ROOT, "  --%-21s %s%s%n", spec.name() + (spec.isFlag() ? "" : " V"),
                    spec.doc().replace("`", ""), spec.isFlag() || spec.defaultValue().isEmpty() ? ""
                            : " [" + spec.defaultValue() + "]"));
        }
        return text.toString();
    }

    private static OptionSpec spec(String name) {
        return OptionSpec.find(SPECS, name);
    }

    static List<URI> edgeUris(String list) {
        List<URI> uris = new ArrayList<>();
        for (String part : list.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(trimmed);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--edges: not a URL: " + trimmed, e);
            }
            if (!"ws".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new UsageException("--edges: expected ws://host:port/path, got " + trimmed);
            }
            uris.add(uri);
        }
        if (uris.isEmpty()) {
            throw new UsageException("--edges: give at least one edge URL");
        }
        return List.copyOf(uris);
    }

    /** The REST base of an edge: same host and port over http, no path. */
    static URI restBase(URI edge) {
        return URI.create("http://" + edge.getHost() + ":" + edge.getPort());
    }

    static List<NamedPid> serverPids(String list) {
        List<NamedPid> pids = new ArrayList<>();
        for (String part : list.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            String name = equals < 0 ? "pid-" + trimmed : trimmed.substring(0, equals).trim();
            String pid = equals < 0 ? trimmed : trimmed.substring(equals + 1).trim();
            try {
                pids.add(new NamedPid(name, Long.parseLong(pid)));
            } catch (NumberFormatException e) {
                throw new UsageException("--server-pids: not a pid: " + trimmed, e);
            }
        }
        return List.copyOf(pids);
    }

    static Map<String, String> keyValues(String list) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String part : list.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new UsageException("--edge-env: expected KEY=VALUE, got " + trimmed);
            }
            pairs.put(trimmed.substring(0, equals).trim(), trimmed.substring(equals + 1).trim());
        }
        return Map.copyOf(pairs);
    }

    private static String guarantee(String value) {
        if (!value.equals("exactly_once_v2") && !value.equals("at_least_once")) {
            throw new UsageException("--guarantee: exactly_once_v2 or at_least_once, got " + value);
        }
        return value;
    }

    /** The given values over the specs' defaults, read as typed values. */
    private record Values(Map<String, String> given, Map<String, String> env) {
        String string(String name) {
            String value = given.get(name);
            return value != null ? value.trim() : spec(name).defaultValue();
        }

        String jwt(String name, String envKey) {
            String value = given.get(name);
            if (value != null) {
                return value;
            }
            String fromEnv = env.get(envKey);
            return fromEnv == null || fromEnv.isBlank() ? spec(name).defaultValue() : fromEnv.trim();
        }

        int intAtLeast(String name, int min) {
            long value = longAtLeast(name, min);
            if (value > Integer.MAX_VALUE) {
                throw new UsageException("--" + name + ": too large: " + value);
            }
            return (int) value;
        }

        long longAtLeast(String name, long min) {
            String text = string(name);
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": not a whole number: '" + text + "'", e);
            }
            if (value < min) {
                throw new UsageException("--" + name + ": at least " + min + ", got " + value);
            }
            return value;
        }

        double positiveDouble(String name) {
            double value = number(name);
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new UsageException("--" + name + ": must be above 0, got " + string(name));
            }
            return value;
        }

        double doubleIn(String name, double min, double max) {
            double value = number(name);
            if (!(value >= min && value <= max)) {
                throw new UsageException("--" + name + ": must be in [" + min + ", " + max + "], got " + string(name));
            }
            return value;
        }

        private double number(String name) {
            try {
                return Double.parseDouble(string(name));
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": not a number: '" + string(name) + "'", e);
            }
        }
    }
}
