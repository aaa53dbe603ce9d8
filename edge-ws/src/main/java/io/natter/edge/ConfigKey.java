package io.natter.edge;

/** One environment variable the edge reads: its name, default (null = generated) and meaning. */
public record ConfigKey(String name, String defaultValue, String doc) {

    /** The value of this key in {@code env}, or its default when unset or blank. */
    String read(java.util.Map<String, String> env) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }
}
