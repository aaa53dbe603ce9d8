package io.natter.edge;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One environment variable a Natter service reads: its name, default (null = unset or generated) and meaning, and
 * the parsing every service does the same way (the attachment-api reads its keys through this type too).
 */
public record ConfigKey(String name, String defaultValue, String doc) {

    /** The value of this key in {@code env}, or its default when unset or blank. */
    public String read(Map<String, String> env) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /** This key as an integer in [min, max], with an error naming the key otherwise. */
    public int intIn(Map<String, String> env, int min, int max) {
        return Math.toIntExact(longIn(env, min, max));
    }

    /** This key as a long in [min, max], with an error naming the key otherwise. */
    public long longIn(Map<String, String> env, long min, long max) {
        String raw = read(env);
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + raw + "'", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** This key as a comma-separated list of at least one http(s)://host[:port] URL, trailing slash removed. */
    public List<URI> httpUrls(Map<String, String> env) {
        List<URI> urls = new ArrayList<>();
        for (String part : read(env).split(",")) {
            String raw = part.trim();
            if (raw.isEmpty()) {
                continue;
            }
            URI url;
            try {
                url = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(name + " has an invalid URL '" + raw + "'", e);
            }
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException(name + " needs http(s)://host[:port] URLs, got '" + raw + "'");
            }
            urls.add(url);
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(name + " needs at least one URL");
        }
        return List.copyOf(urls);
    }
}
