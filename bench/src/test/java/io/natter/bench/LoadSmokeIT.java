package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generator end to end, briefly, in-process: its own accounting must add up (not a benchmark: no timings asserted);
 * then ./bench/hops on the same stack, five sends, each joined through every hop.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LoadSmokeIT {
    private static final int HOP_SENDS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCopyOfEveryMessageSentInTheWindowArrivesOnceAndIsCounted() throws Exception {
        LoadOptions options = LoadOptions.parse(List.of("--in-process", "--clients", "10", "--rooms", "2", "--rate",
                "5", "--observers", "1", "--warmup-s", "1", "--duration-s", "3", "--drain-s", "60",
                // A shared, loaded machine may take seconds per verdict: no TIMEOUT should muddle the accounting.
                "--edge-env", "NATTER_REQUEST_TIMEOUT_MS=60000"), Map.of());
        LoadReport report;
        HopReport hops;
        try (InProcessTarget target = InProcessTarget.start(options)) {
            report = LoadRun.run(options, target, new PrintStream(OutputStream.nullOutputStream()), "Lsmoke");
            // ./bench/hops folded in here, so the suite starts no other stack for it.
            long begin = System.nanoTime();
            hops = hopsOfFiveSends(target);
            // For the log: what the hops cost here, and what they add to this test (budget 15 s).
            HopLatency.print(hops, HopOptions.parse(List.of()), System.out);
            System.out.printf("hops part of LoadSmokeIT: %.1f s%n", (System.nanoTime() - begin) / 1e9);
        }

        CopyLedger.Summary counts = report.counts();
        long messages = counts.messages();
        assertThat(messages).isPositive();
        // Two rooms of five: each message owes five copies (the sender's own included) and one to the observer.
        assertThat(counts).isEqualTo(new CopyLedger.Summary(messages, messages, 0, 0, 0, messages, 5 * messages,
                5 * messages, 4 * messages, 0, 0, messages, messages, 0, 0, 0, 0));
        assertThat(report.delivery().count()).isEqualTo(5 * messages);
        assertThat(report.ack().count()).isEqualTo(messages);
        assertThat(report.observerDelivery().count()).isEqualTo(messages);
        assertThat(report.copiesPerSecond()).isEqualTo(5.0 * messages / 3);
        assertThat(report.errors()).isEmpty();
        assertThat(report.closes()).isEmpty();
        assertThat(report.connectFailures()).isEmpty();
        assertThat(report.stall()).isNull();
        assertThat(report.serverCpu()).singleElement().satisfies(usage -> assertThat(usage.cpuSeconds()).isPositive());
        assertThat(report.timeline()).extracting(LoadReport.Tick::phase).contains("measure").last().isEqualTo("drain");
        assertThat(report.markdownRow()).startsWith("| - | 10 | 2 | 5 | 64 | 1 | " + messages + " | ");

        // Every one of the five sends joined (all six times), nothing else in the window; hops add up.
        assertThat(hops.counts()).isEqualTo(new HopReport.Counts(HOP_SENDS, HOP_SENDS, 0, 0, 0, 0, 0));
        assertThat(hops.hops()).hasSize(Hop.values().length).allSatisfy(hop -> {
            assertThat(hop.count()).isEqualTo(HOP_SENDS);
            // t3−t2 races this tool's fetch against the topology's, so it may be a little negative; nothing else.
            assertThat(hop.min()).isGreaterThanOrEqualTo(hop.formula().equals("t3−t2") ? -1000 : 0);
        });
        assertThat(hops.sumOfPartMeans()).isCloseTo(hops.hops().get(Hop.TOTAL.ordinal()).mean(), offset(0.011));
        assertThat(hops.commandTimestampType()).isEqualTo("CreateTime");
        assertThat(hops.edge()).extracting(HopReport.EdgeHistogram::metric)
                .containsExactly("chat_fanout_dispatch_ms", "chat_messages_fanout_latency_ms");
        // The sender's own copy is its one local recipient; the edge's scrape may trail the tool's last fetch.
        assertThat(hops.edge()).allSatisfy(histogram -> assertThat(histogram.count()).isBetween(1L, (long) HOP_SENDS));
    }

    private static HopReport hopsOfFiveSends(InProcessTarget target) throws Exception {
        HopOptions options = HopOptions.parse(List.of("--bootstrap", target.bootstrapServers(), "--schema-registry",
                target.registryUrl(), "--warmup-s", "0", "--duration-s", "4", "--drain-s", "60", "--edge-metrics",
                target.restBase().resolve("/metrics").toString()));
        try (Probes probes = new Probes(target.tokens(), target.restBase(), "Hsmoke")) {
            String sender = probes.id("sender");
            String room = probes.id("room");
            probes.createRoom(room, sender, List.of());
            ProbeClient client = probes.connect(target.edges().getFirst(), sender);
            CountDownLatch ready = new CountDownLatch(1);
            CompletableFuture<HopReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return HopRun.run(options, new PrintStream(OutputStream.nullOutputStream()), ready::countDown);
                } catch (IOException | InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            assertThat(ready.await(60, TimeUnit.SECONDS)).isTrue();
            for (int n = 1; n <= HOP_SENDS; n++) {
                client.send(JSON.writeValueAsString(Map.of("type", "SEND_MESSAGE", "roomId", room,
                        "clientMsgId", "h" + n, "content", "hop " + n)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> client.frames().stream()
                    .filter(frame -> frame.json().path("type").asText().equals("ACK")).count() == HOP_SENDS);
            return run.get(120, TimeUnit.SECONDS);
        }
    }
}
