package io.natter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Exit criterion 2: cross-region replication under 2 s. A sender on this region's edge writes one message a second
 * to a room whose other members are connected to an edge of the peer region; each copy they receive is timed from
 * its send (one JVM, one clock).
 */
final class CrossRegionCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "xr ";

    /** Per message and receiver: the latency in ms, or empty when the copy never came. */
    record Outcome(int messages, int receivers, List<Double> latenciesMs) {}

    private CrossRegionCheck() {}

    static String criterion(double boundMs) {
        return "cross-region replication p95 < " + LoadReport.number(boundMs) + " ms";
    }

    static CriterionResult skipped(double boundMs) {
        return CriterionResult.skipped(criterion(boundMs), "no --peer-edge given (an edge of the other region "
                + "of `./natter dev --regions us,eu`, e.g. ws://127.0.0.1:18080/ws)");
    }

    /** PASS when every receiver got every message and the p95 of those copies is below the bound. */
    static CriterionResult judge(Outcome outcome, double boundMs) {
        Histogram micros = new Histogram(3);
        outcome.latenciesMs().forEach(ms -> micros.recordValue(Math.max(0, Math.round(ms * 1000))));
        Percentiles latency = Percentiles.of(micros);
        long expected = (long) outcome.messages() * outcome.receivers();
        boolean complete = outcome.messages() > 0 && latency.count() == expected;
        boolean fast = latency.count() > 0 && latency.p95() < boundMs;
        String figure = String.format(Locale.ROOT, "p95 %s ms %s %s ms (p50 %s, max %s); %d of %d copies arrived "
                        + "(%d messages to %d receivers on the peer edge)",
                LoadReport.ms(latency.p95()), fast ? "<" : ">=", LoadReport.number(boundMs),
                LoadReport.ms(latency.p50()), LoadReport.ms(latency.max()), latency.count(), expected,
                outcome.messages(), outcome.receivers());
        return CriterionResult.of(criterion(boundMs), complete && fast, figure);
    }

    static CriterionResult run(ExitCriteriaOptions options, URI peerEdge, Probes probes)
            throws IOException, InterruptedException {
        String sender = probes.id("xr-sender");
        List<String> receivers = new ArrayList<>();
        for (int k = 0; k < options.crossRegionReceivers(); k++) {
            receivers.add(probes.id("xr-receiver" + k));
        }
        String roomId = probes.id("xr");
        probes.createRoom(roomId, sender, receivers);
        List<ProbeClient> remote = new ArrayList<>();
        for (String receiver : receivers) {
            remote.add(probes.connect(peerEdge, receiver));
        }
        ProbeClient local = probes.connect(options.edges().getFirst(), sender);
        int messages = (int) options.crossRegionDuration().toSeconds();
        long[] sentAt = new long[messages];
        long start = System.nanoTime();
        for (int n = 0; n < messages; n++) {
            long due = start + TimeUnit.SECONDS.toNanos(n);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            sentAt[n] = System.nanoTime();
            local.send(JSON.writeValueAsString(Map.of("type", "SEND_MESSAGE", "roomId", roomId,
                    "clientMsgId", "xr" + n, "content", PREFIX + n)));
        }
        // Wait past the bound for stragglers, so a slow copy is reported late rather than lost.
        Duration drain = Duration.ofMillis((long) options.crossRegionBoundMs()).plusSeconds(5);
        for (ProbeClient receiver : remote) {
            receiver.await(json -> copyNumber(json.path("type").asText(), json.path("content").asText())
                    == messages - 1, 0, drain);
        }
        List<Double> latencies = new ArrayList<>();
        for (ProbeClient receiver : remote) {
            boolean[] seen = new boolean[messages];
            for (ProbeClient.Frame frame : receiver.frames()) {
                int n = copyNumber(frame.json().path("type").asText(), frame.json().path("content").asText());
                if (n >= 0 && n < messages && !seen[n]) {
                    seen[n] = true;
                    latencies.add((frame.receivedNanos() - sentAt[n]) / 1e6);
                }
            }
        }
        return judge(new Outcome(messages, receivers.size(), latencies), options.crossRegionBoundMs());
    }

    private static int copyNumber(String type, String content) {
        if (!type.equals("MESSAGE") || !content.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(content.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
