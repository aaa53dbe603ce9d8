package io.natter.infra;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@code ./natter dev} should start, parsed from its arguments and environment by {@link #parse}.
 *
 * @param clean      delete {@code .natter/} before starting
 * @param edges      number of edge-ws processes
 * @param topologies number of topologies processes
 * @param partitions partitions of every Natter topic (only when the topic is created)
 * @param help       print usage and exit
 * @param regions    empty for one region; else the two regions to run side by side with MirrorMaker 2 between them
 */
public record DevStackConfig(boolean clean, int edges, int topologies, int partitions, boolean help,
        List<String> regions) {

    /** Ports of the n-th region (0-based) are the single-region ones plus n times this. */
    public static final int REGION_PORT_OFFSET = 10_000;

    /** One command-line option: its flag, the environment variable that sets its default (if any), default and doc. */
    public record Option(String flag, Optional<String> envKey, String defaultValue, String doc) {
        boolean takesValue() {
            return !defaultValue.equals("false");
        }
    }

    public static final Option CLEAN = new Option("--clean", Optional.empty(), "false",
            "delete .natter/ (all Kafka, registry, Redis, Postgres, S3 and Streams state) before starting");
    public static final Option EDGES = new Option("--edges", Optional.empty(), "1",
            "number of edge-ws processes; edge-1 listens on 8080, the next ones on 8082, 8083, ...");
    public static final Option TOPOLOGIES = new Option("--topologies", Optional.empty(), "1",
            "number of topologies processes (Kafka Streams instances sharing one application id)");
    public static final Option PARTITIONS = new Option("--partitions", Optional.of("NATTER_PARTITIONS"), "6",
            "partitions of every Natter topic; applies when a topic is created, so change it together with --clean");
    public static final Option REGIONS = new Option("--regions", Optional.empty(), "",
            "two regions, e.g. us,eu: a full stack each (ports + " + REGION_PORT_OFFSET + " for the second, data "
                    + "under .natter/regions/<r>/) and MirrorMaker 2 both ways");
    public static final Option HELP = new Option("--help", Optional.empty(), "false", "print this help and exit");

    /** Every option, in the order the usage text and the README list them. */
    public static final List<Option> OPTIONS = List.of(CLEAN, EDGES, TOPOLOGIES, PARTITIONS, REGIONS, HELP);

    public DevStackConfig {
        requireAtLeast(EDGES, edges, 0);
        requireAtLeast(TOPOLOGIES, topologies, 0);
        requireAtLeast(PARTITIONS, partitions, 1);
        regions = List.copyOf(regions);
        if (!regions.isEmpty() && (regions.size() != 2 || regions.get(0).equals(regions.get(1))
                || !regions.stream().allMatch(r -> r.matches("[a-z][a-z0-9-]*")))) {
            throw new UsageException(REGIONS.flag() + " needs two different region names [a-z][a-z0-9-]*, e.g. us,eu; got "
                    + String.join(",", regions));
        }
    }

    /** One region, as before regions existed. */
    public DevStackConfig(boolean clean, int edges, int topologies, int partitions, boolean help) {
        this(clean, edges, topologies, partitions, help, List.of());
    }

    /** Parses {@code ./natter dev} arguments ({@code --flag value} or {@code --flag=value}); env supplies defaults. */
    public static DevStackConfig parse(List<String> args, Map<String, String> env) {
        Map<Option, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            Option option = OPTIONS.stream().filter(o -> o.flag().equals(flag) || (o == HELP && flag.equals("-h")))
                    .findFirst()
                    .orElseThrow(() -> new UsageException("unknown argument: " + arg));
            String value;
            if (!option.takesValue()) {
                if (arg.contains("=")) {
                    throw new UsageException(option.flag() + " takes no value");
                }
                value = "true";
            } else if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(option.flag() + " needs a value");
            }
            if (values.put(option, value) != null) {
                throw new UsageException(option.flag() + " given twice");
            }
        }
        return new DevStackConfig(
                values.containsKey(CLEAN),
                integer(EDGES, values, env),
                integer(TOPOLOGIES, values, env),
                integer(PARTITIONS, values, env),
                values.containsKey(HELP),
                values.containsKey(REGIONS) ? Stream.of(values.get(REGIONS).split(",")).map(String::trim)
                        .filter(r -> !r.isEmpty()).toList() : List.of());
    }

    /** The help text, generated from {@link #OPTIONS}. */
    public static String usage() {
        return "usage: ./natter dev [options]" + System.lineSeparator() + OPTIONS.stream()
                .map(o -> String.format("  %-18s %s%s", o.flag() + (o == REGIONS ? " A,B" : o.takesValue() ? " N" : ""),
                        o.doc(), (o == REGIONS ? "" : o.takesValue() ? " (default " + o.defaultValue()
                                + o.envKey().map(key -> ", or env " + key).orElse("") + ")" : "")))
                .collect(Collectors.joining(System.lineSeparator()));
    }

    private static int integer(Option option, Map<Option, String> values, Map<String, String> env) {
        Optional<String> fromArgs = Optional.ofNullable(values.get(option));
        Optional<String> fromEnv = option.envKey().map(env::get).filter(value -> !value.isBlank());
        String raw = fromArgs.or(() -> fromEnv).orElse(option.defaultValue());
        String source = fromArgs.isEmpty() && fromEnv.isPresent() ? option.envKey().orElseThrow() : option.flag();
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(source + " must be a whole number, got '" + raw + "'");
        }
    }

    private static void requireAtLeast(Option option, int value, int minimum) {
        if (value < minimum) {
            throw new UsageException(option.flag() + " must be at least " + minimum + ", got " + value);
        }
    }
}
