package io.natter.bench;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One histogram family of a Prometheus text scrape ({@code _bucket}, {@code _sum}, {@code _count}), summed over the
 * label sets that carry every label in {@code only}; subtract an earlier scrape to get a window's, then read its mean
 * and its quantiles interpolated within the buckets, as PromQL's {@code histogram_quantile} does.
 */
record PrometheusHistogram(TreeMap<Double, Double> cumulative, double sum, double count) {

    /** The family {@code name} in {@code text}; empty when the scrape has none of it. */
    static Optional<PrometheusHistogram> parse(String text, String name, Map<String, String> only) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        double sum = 0;
        double count = 0;
        boolean found = false;
        for (String line : text.lines().toList()) {
            if (!line.startsWith(name + "_")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf('}') >= 0 ? line.lastIndexOf('}') + 1 : line.indexOf(' ');
            String series = line.substring(0, brace >= 0 ? brace : space);
            String labels = brace >= 0 ? line.substring(brace + 1, line.lastIndexOf('}')) : "";
            if (!only.entrySet().stream().allMatch(e -> labels.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                continue;
            }
            double value = Double.parseDouble(line.substring(space).trim().split("\\s+")[0]);
            switch (series.substring(name.length())) {
                case "_bucket" -> buckets.merge(le(labels), value, Double::sum);
                case "_sum" -> sum += value;
                case "_count" -> count += value;
                default -> {
                    continue;
                }
            }
            found = true;
        }
        return found ? Optional.of(new PrometheusHistogram(buckets, sum, count)) : Optional.empty();
    }

    private static double le(String labels) {
        int at = labels.indexOf("le=\"");
        String bound = labels.substring(at + 4, labels.indexOf('"', at + 4));
        return bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
    }

    /** What was added since {@code before} (a counter reset shows as negative counts: restart the run). */
    PrometheusHistogram minus(PrometheusHistogram before) {
        TreeMap<Double, Double> buckets = new TreeMap<>(cumulative);
        before.cumulative.forEach((le, value) -> buckets.merge(le, -value, Double::sum));
        return new PrometheusHistogram(buckets, sum - before.sum, count - before.count);
    }

    double mean() {
        return count > 0 ? sum / count : 0;
    }

    /**
     * The {@code q} quantile: linear within the bucket the rank falls in, from the previous bound (0 below the first);
     * in the {@code +Inf} bucket, the highest finite bound. 0 without samples.
     */
    double quantile(double q) {
        double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (total <= 0) {
            return 0;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lower;
                }
                double inBucket = bucket.getValue() - below;
                return inBucket <= 0 ? bucket.getKey()
                        : lower + (bucket.getKey() - lower) * (rank - below) / inBucket;
            }
            lower = bucket.getKey();
            below = bucket.getValue();
        }
        return lower;
    }
}
