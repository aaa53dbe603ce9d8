package io.natter.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One command-line option of a bench tool: its name (without {@code --}), default, and meaning. */
record OptionSpec(String name, String defaultValue, String doc, Scope scope) {

    /** Which runs an option applies to; giving it to another run is a usage error. */
    enum Scope {
        /** Every run. */
        ANY,
        /** A message-load run (not {@code --idle}). */
        LOAD,
        /** An {@code --idle} run. */
        IDLE,
        /** Only with {@code --in-process}. */
        IN_PROCESS,
        /** Only against a running stack (without {@code --in-process}). */
        RUNNING
    }

    /** A flag takes no value: present means true. */
    boolean isFlag() {
        return defaultValue == null;
    }

    /** The spec named {@code name}; an unknown name is a usage error that lists the known ones. */
    static OptionSpec find(List<OptionSpec> specs, String name) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new UsageException(
                "unknown option --" + name + "; known: "
                        + specs.stream().map(s -> "--" + s.name()).collect(Collectors.joining(" "))));
    }

    /**
     * The options in {@code args} by name, in order: {@code --name value}, {@code --name=value}, or a flag alone
     * (its value "true"). Anything else — a word without {@code --}, an unknown option, a flag with a value, a
     * missing value, an option given twice — is a usage error. Every bench tool parses its arguments here.
     */
    static Map<String, String> given(List<String> args, List<OptionSpec> specs) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException("expected --option, got '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            OptionSpec spec = find(specs, name);
            if (spec.isFlag()) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (given.put(name, value) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        return given;
    }
}
