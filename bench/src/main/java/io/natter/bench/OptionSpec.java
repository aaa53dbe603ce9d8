package io.natter.bench;

/** One command-line option of the load generator: its name (without {@code --}), default, and meaning. */
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
}
