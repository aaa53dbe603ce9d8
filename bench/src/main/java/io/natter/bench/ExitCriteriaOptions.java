package io.natter.bench;

import io.natter.bench.OptionSpec.Scope;
import io.natter.edge.EdgeConfig;
import io.natter.edge.presence.PresenceConfig;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command line of {@code ./bench/exit-criteria}, parsed by the pure {@link #parse}. Each option is declared once
 * in {@link #SPECS}; bench/README.md's table is checked against it. The edge settings the checks judge by (rate limit,
 * presence grace and TTL) default to the environment variables the dev stack's edges read, then the edges' defaults.
 */
record ExitCriteriaOptions(
        List<URI> edges,
        Optional<URI> peerEdge,
        Set<Check> checks,
        int clients,
        int rooms,
        double rate,
        Duration warmup,
        Duration duration,
        double latencyBoundMs,
        double crossRegionBoundMs,
        int crossRegionReceivers,
        Duration crossRegionDuration,
        int floodMessages,
        int rateLimitPerSecond,
        int rateLimitBurst,
        int stallClients,
        int stallRooms,
        int stallMessageBytes,
        Duration stallDuration,
        Duration presenceGrace,
        Duration presenceTtl,
        OptionalLong edgePid,
        List<String> loadArgs) {

    /** The checks, in the order they run; names are what {@code --only} takes. */
    enum Check {
        DELIVERY("delivery"), CROSS_REGION("cross-region"), FLOOD("flood"), STALL("stall"), PRESENCE("presence");

        final String option;

        Check(String option) {
            this.option = option;
        }
    }

    static final List<OptionSpec> SPECS = List.of(
            new OptionSpec("edges", LoadOptions.DEFAULT_EDGE, "comma-separated WebSocket URLs of the running stack's "
                    + "edges (one region); clients spread over them, REST calls go to the first", Scope.ANY),
            new OptionSpec("peer-edge", "", "WebSocket URL of an edge in another region: runs the cross-region "
                    + "check (send here, receive there); without it that check is SKIPPED", Scope.ANY),
            new OptionSpec("only", "delivery,cross-region,flood,stall,presence", "the checks to run, comma-separated "
                    + "(flood and stall are the two backpressure checks)", Scope.ANY),
            new OptionSpec("clients", "200", "delivery check: active clients (C), each its own user", Scope.ANY),
            new OptionSpec("rooms", "20", "delivery check: rooms (R); client i is in room i mod R", Scope.ANY),
            new OptionSpec("rate", "1", "delivery check: messages per second per client (M)", Scope.ANY),
            new OptionSpec("warmup-s", "5", "delivery check: seconds of sending before measuring", Scope.ANY),
            new OptionSpec("duration-s", "20", "delivery check: seconds measured", Scope.ANY),
            new OptionSpec("latency-bound-ms", "150", "intra-region bound: delivery p95, and the others' p99 "
                    + "while a reader stalls, must be below it", Scope.ANY),
            new OptionSpec("cross-region-bound-ms", "2000", "cross-region bound on the p95 from a send in this "
                    + "region to its receipt at the peer edge", Scope.ANY),
            new OptionSpec("cross-region-receivers", "5", "cross-region check: room members connected to the peer "
                    + "edge", Scope.ANY),
            new OptionSpec("cross-region-duration-s", "20", "cross-region check: seconds of sending, one message "
                    + "a second", Scope.ANY),
            new OptionSpec("flood-messages", "100", "flood check: SEND_MESSAGE frames the flooding client "
                    + "writes at once (more than the burst)", Scope.ANY),
            new OptionSpec("rate-limit-per-second", EdgeConfig.RATE_LIMIT_PER_SECOND.defaultValue(), "the edges' "
                    + "`NATTER_RATE_LIMIT_PER_SECOND` (default: that variable, else the edge's default)", Scope.ANY),
            new OptionSpec("rate-limit-burst", EdgeConfig.RATE_LIMIT_BURST.defaultValue(), "the edges' "
                    + "`NATTER_RATE_LIMIT_BURST` (default: that variable, else the edge's default)", Scope.ANY),
            new OptionSpec("stall-clients", "200", "stall check: active clients around the stalled reader",
                    Scope.ANY),
            new OptionSpec("stall-rooms", "20", "stall check: their rooms; the stalled reader is in all",
                    Scope.ANY),
            new OptionSpec("stall-message-bytes", "4000", "stall check: message size, so the stalled "
                    + "reader's backlog passes the edge's bound within seconds", Scope.ANY),
            new OptionSpec("stall-duration-s", "30", "stall check: seconds measured while the reader stalls",
                    Scope.ANY),
            new OptionSpec("presence-grace-ms", PresenceConfig.OFFLINE_GRACE_MS.defaultValue(), "the edges' "
                    + "`NATTER_PRESENCE_OFFLINE_GRACE_MS` (default: that variable, else the edge's default)",
                    Scope.ANY),
            new OptionSpec("presence-ttl-ms", PresenceConfig.TTL_MS.defaultValue(), "the edges' "
                    + "`NATTER_PRESENCE_TTL_MS` (default: that variable, else the edge's default)", Scope.ANY),
            new OptionSpec("edge-pid", "", "pid of one of `--edges`' processes (two or more edges): the presence "
                    + "TTL check kills it with SIGKILL while it holds a user; without it that check is SKIPPED",
                    Scope.ANY),
            new OptionSpec("help", null, "print the options and exit", Scope.ANY));

    /** Parses {@code args}; {@code env} supplies the edge settings and the JWT defaults as the edges read them. */
    static ExitCriteriaOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> given = OptionSpec.given(args, SPECS);
        Values values = new Values(given, env);
        List<URI> edges = LoadOptions.edgeUris(values.string("edges"));
        String peer = values.string("peer-edge");
        Optional<URI> peerEdge = peer.isEmpty() ? Optional.empty()
                : Optional.of(LoadOptions.edgeUris(peer).getFirst());
        int clients = values.positiveInt("clients");
        int rooms = values.positiveInt("rooms");
        int stallClients = values.positiveInt("stall-clients");
        int stallRooms = values.positiveInt("stall-rooms");
        if (rooms > clients || stallRooms > stallClients) {
            throw new UsageException("every room needs a client to own it: --rooms at most --clients, "
                    + "--stall-rooms at most --stall-clients");
        }
        int burst = values.fromEnv("rate-limit-burst", EdgeConfig.RATE_LIMIT_BURST.name());
        int flood = values.positiveInt("flood-messages");
        if (flood <= burst) {
            throw new UsageException("--flood-messages " + flood + " must exceed the burst " + burst
                    + ", or nothing is rate-limited");
        }
        String edgePid = values.string("edge-pid");
        OptionalLong pid = OptionalLong.empty();
        if (!edgePid.isEmpty()) {
            if (edges.size() < 2) {
                throw new UsageException("--edge-pid needs two or more --edges: the watcher stays on a live one");
            }
            pid = OptionalLong.of(values.positiveInt("edge-pid"));
        }
        double rate = values.positiveDouble("rate");
        Duration warmup = Duration.ofSeconds(values.nonNegativeInt("warmup-s"));
        Duration duration = Duration.ofSeconds(values.positiveInt("duration-s"));
        // The load generator's own command line for the delivery run: its parser checks the values once more.
        List<String> loadArgs = List.of("--edges", values.string("edges"), "--clients", Integer.toString(clients),
                "--rooms", Integer.toString(rooms), "--rate", values.string("rate"), "--warmup-s",
                Long.toString(warmup.toSeconds()), "--duration-s", Long.toString(duration.toSeconds()));
        return new ExitCriteriaOptions(edges, peerEdge, checks(values.string("only")), clients, rooms, rate, warmup,
                duration, values.positiveDouble("latency-bound-ms"), values.positiveDouble("cross-region-bound-ms"),
                values.positiveInt("cross-region-receivers"),
                Duration.ofSeconds(values.positiveInt("cross-region-duration-s")), flood,
                values.fromEnv("rate-limit-per-second", EdgeConfig.RATE_LIMIT_PER_SECOND.name()), burst,
                stallClients, stallRooms, values.positiveInt("stall-message-bytes"),
                Duration.ofSeconds(values.positiveInt("stall-duration-s")),
                Duration.ofMillis(values.fromEnv("presence-grace-ms", PresenceConfig.OFFLINE_GRACE_MS.name())),
                Duration.ofMillis(values.fromEnv("presence-ttl-ms", PresenceConfig.TTL_MS.name())), pid, loadArgs);
    }

    /** The option list for {@code --help}. */
    static String usage() {
        StringBuilder text = new StringBuilder("usage: ./bench/exit-criteria [--option value ...]\n");
        for (OptionSpec spec : SPECS) {
            text.append(String.format(Locale.ROOT, "  --%-26s %s%s%n", spec.name() + (spec.isFlag() ? "" : " V"),
                    spec.doc().replace("`", ""), spec.isFlag() || spec.defaultValue().isEmpty() ? ""
                            : " [" + spec.defaultValue() + "]"));
        }
        return text.toString();
    }

    private static Set<Check> checks(String list) {
        Set<Check> checks = EnumSet.noneOf(Check.class);
        for (String part : list.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            checks.add(java.util.Arrays.stream(Check.values()).filter(c -> c.option.equals(name)).findFirst()
                    .orElseThrow(() -> new UsageException("--only: unknown check '" + name + "'; known: "
                            + java.util.Arrays.stream(Check.values()).map(c -> c.option)
                                    .collect(Collectors.joining(",")))));
        }
        if (checks.isEmpty()) {
            throw new UsageException("--only: name at least one check");
        }
        return checks;
    }

    private static OptionSpec spec(String name) {
        return OptionSpec.find(SPECS, name);
    }

    /** The given values over the specs' defaults (or the environment's, for the edge settings), typed. */
    private record Values(Map<String, String> given, Map<String, String> env) {
        String string(String name) {
            String value = given.get(name);
            return value != null ? value.trim() : spec(name).defaultValue();
        }

        int fromEnv(String name, String envKey) {
            if (given.containsKey(name)) {
                return positiveInt(name);
            }
            String fromEnv = env.get(envKey);
            if (fromEnv == null || fromEnv.isBlank()) {
                return positiveInt(name);
            }
            try {
                return Integer.parseInt(fromEnv.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("$" + envKey + ": not a number: " + fromEnv, e);
            }
        }

        int positiveInt(String name) {
            int value = nonNegativeInt(name);
            if (value < 1) {
                throw new UsageException("--" + name + ": must be at least 1");
            }
            return value;
        }

        int nonNegativeInt(String name) {
            try {
                int value = Integer.parseInt(string(name));
                if (value < 0) {
                    throw new UsageException("--" + name + ": must not be negative");
                }
                return value;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": not a whole number: " + string(name), e);
            }
        }

        double positiveDouble(String name) {
            try {
                double value = Double.parseDouble(string(name));
                if (!(value > 0) || Double.isInfinite(value)) {
                    throw new UsageException("--" + name + ": must be a positive number");
                }
                return value;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": not a number: " + string(name), e);
            }
        }
    }
}
