package io.natter.attachment;

import java.util.Map;

/** One environment variable the attachment-api reads: its name, default (null = unset or generated) and meaning. */
public record ConfigKey(String name, String defaultValue, String doc) {

    /** The same key the edge declares, so both services read one {@code NATTER_JWT_*} setting the same way. */
    static ConfigKey of(io.natter.edge.ConfigKey edgeKey) {
        return new ConfigKey(edgeKey.name(), edgeKey.defaultValue(), edgeKey.doc());
    }

    /** The value of this key in {@code env}, or its default when unset or blank. */
    String read(Map<String, String> env) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }
}
