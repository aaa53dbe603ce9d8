package io.natter.bench;

import java.util.OptionalDouble;

/** Reads one metric out of the Prometheus text format that the edge's {@code /metrics} serves. */
final class PrometheusText {
    private PrometheusText() {}

    /** The sum of every sample of {@code name} (all label sets); empty if the metric is absent. */
    static OptionalDouble sum(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.lines().toList()) {
            if (!line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (rest.startsWith("{")) {
                rest = rest.substring(rest.lastIndexOf('}') + 1);
            } else if (!rest.startsWith(" ")) {
                continue;
            }
            // What is left is "value [timestamp]".
            sum += Double.parseDouble(rest.trim().split("\\s+")[0]);
            found = true;
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
