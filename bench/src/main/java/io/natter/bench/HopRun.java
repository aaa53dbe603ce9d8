package io.natter.bench;

import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.topologies.RoomTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The measurement of {@code ./bench/hops}: three consumers, each on its own thread, read from the end the command topic
 * (read_uncommitted) and the fan-out topic (read_uncommitted and read_committed), note when each poll returned a send's
 * records and join them by command id into {@link HopTrail}s; the edge's scrape is read at the window's start and end.
 */
final class HopRun {
    /** Header the edge writes on each command (its KafkaHeaders.RECEIVED_AT), copied to the topology's outputs. */
    static final String RECEIVED_AT_HEADER = "natter-received-at";
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String DISPATCH = "chat_fanout_dispatch_ms";
    private static final String FANOUT_LATENCY = "chat_messages_fanout_latency_ms";

    private final HopOptions options;
    private final Topics topics;
    private final Map<String, HopTrail> trails = new ConcurrentHashMap<>();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicReference<String> commandTimestampType = new AtomicReference<>("unknown (no command seen)");
    private final List<Tail> tails = new ArrayList<>();

    private HopRun(HopOptions options, Topics topics) {
        this.options = options;
        this.topics = topics;
    }

    /** Measures for the options' warm-up, window and drain, printing a progress line a second to {@code log}. */
    static HopReport run(HopOptions options, PrintStream log) throws IOException, InterruptedException {
        return run(options, log, () -> { });
    }

    /** As {@link #run(HopOptions, PrintStream)}; {@code onReady} runs once every consumer is positioned at the end. */
    static HopReport run(HopOptions options, PrintStream log, Runnable onReady) throws IOException,
            InterruptedException {
        HopRun run = new HopRun(options, Topics.forRegistry(options.schemaRegistry()));
        try {
            return run.measure(log, onReady);
        } finally {
            run.tails.forEach(Tail::close);
        }
    }

    private HopReport measure(PrintStream log, Runnable onReady) throws IOException, InterruptedException {
        Topic<String, RoomCommand> commands = topics.messageRequested();
        Topic<String, ChatFanout> fanout = topics.fanout();
        tails.add(new Tail("commands", commands.name(), "read_uncommitted", (record, now) -> {
            RoomCommand command = commands.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (command != null && command.getPayload() instanceof SendMessageRequested) {
                commandTimestampType.set(record.timestampType().toString());
                add(HopTrail.command(command.getCommandId(), millis(record.headers(), RECEIVED_AT_HEADER),
                        record.timestamp(), now));
            }
        }));
        tails.add(new Tail("fanout-uncommitted", fanout.name(), "read_uncommitted", (record, now) -> {
            String id = messageCommandId(fanout, record);
            if (id != null) {
                add(HopTrail.fanout(id, millis(record.headers(), RECEIVED_AT_HEADER),
                        millis(record.headers(), RoomTopology.JUDGED_AT_HEADER), now));
            }
        }));
        tails.add(new Tail("fanout-committed", fanout.name(), "read_committed", (record, now) -> {
            String id = messageCommandId(fanout, record);
            if (id != null) {
                add(HopTrail.committed(id, now));
            }
        }));
        tails.forEach(Tail::start);
        for (Tail tail : tails) {
            tail.awaitReady();
        }
        Optional<String> before = Optional.empty();
        String edgeNote = "edge metrics: not read (--edge-metrics none)";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            boolean scraped = false;
            if (options.warmup().isZero()) {
                // The window starts now: read the edge before anything the caller sends on onReady is dispatched.
                before = scrape(http);
                scraped = true;
            }
            long start = System.currentTimeMillis();
            onReady.run();
            long windowStart = start + options.warmup().toMillis();
            long windowEnd = windowStart + options.duration().toMillis();
            log.printf(Locale.ROOT, "hops: reading %s and %s from their end on %s; warm-up %d s, window %d s%n",
                    commands.name(), fanout.name(), options.bootstrap(), options.warmup().toSeconds(),
                    options.duration().toSeconds());
            long now;
            while ((now = System.currentTimeMillis()) < windowEnd) {
                if (!scraped && now >= windowStart) {
                    before = scrape(http);
                    scraped = true;
                }
                TimeUnit.MILLISECONDS.sleep(Math.min(1000, Math.max(1, (scraped ? windowEnd : windowStart) - now)));
                progress(log, now >= windowStart ? "measure" : "warmup", start, windowStart, windowEnd);
            }
            if (!scraped) {
                before = scrape(http);
            }
            Optional<String> after = scrape(http);
            List<HopReport.EdgeHistogram> edge = new ArrayList<>();
            if (options.edgeMetrics().isPresent()) {
                edgeNote = edgeNote(before, after, edge);
            }
            long drainEnd = System.currentTimeMillis() + options.drain().toMillis();
            while (System.currentTimeMillis() < drainEnd && !windowComplete(windowStart, windowEnd)) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            progress(log, "drained", start, windowStart, windowEnd);
            Map<String, Double> fetchLatency = new LinkedHashMap<>();
            tails.forEach(tail -> fetchLatency.put(tail.name, tail.fetchLatencyAvgMs()));
            HopReport.Measured measured = HopReport.measure(List.copyOf(trails.values()), windowStart, windowEnd,
                    undecodable.get());
            return new HopReport("hops on " + options.bootstrap() + " (" + commands.name() + " → " + fanout.name()
                    + "), edge scrape " + options.edgeMetrics().map(URI::toString).orElse("none"),
                    options.warmup().toSeconds(), options.duration().toSeconds(), measured.counts(), measured.hops(),
                    HopReport.sumOfPartMeans(measured.hops()), edge, edgeNote, commandTimestampType.get(),
                    options.fetchMaxWaitMs(), fetchLatency);
        }
    }

    private void add(HopTrail partial) {
        trails.merge(partial.commandId(), partial, HopTrail::merge);
    }

    /** The command id of a fan-out record that carries a message (not an edit or deletion); null otherwise. */
    private static String messageCommandId(Topic<String, ChatFanout> fanout, ConsumerRecord<byte[], byte[]> record) {
        ChatFanout value = fanout.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (value == null || !(value.getPayload().getEvent() instanceof ChatMessage)) {
            return null;
        }
        return value.getPayload().getCommandId();
    }

    private static Long millis(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        if (header == null || header.value() == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private boolean windowComplete(long from, long to) {
        return tails.stream().allMatch(tail -> tail.backlog() == 0) && trails.values().stream().filter(trail -> {
            Long first = trail.firstSeen();
            return first != null && first >= from && first < to;
        }).allMatch(HopTrail::complete);
    }

    private void progress(PrintStream log, String phase, long start, long windowStart, long windowEnd) {
        long now = System.currentTimeMillis();
        HopReport.Measured so = HopReport.measure(List.copyOf(trails.values()), windowStart,
                Math.min(now, windowEnd), undecodable.get());
        log.printf(Locale.ROOT, "%-8s %5.1f s: %d messages in the window, %d joined, total mean %.1f ms p99 %.1f ms%n",
                phase, (now - start) / 1000.0, so.counts().seen(), so.counts().joined(),
                so.hops().get(Hop.TOTAL.ordinal()).mean(), so.hops().get(Hop.TOTAL.ordinal()).p99());
    }

    private Optional<String> scrape(HttpClient http) throws InterruptedException {
        if (options.edgeMetrics().isEmpty()) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(options.edgeMetrics().get())
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Fills {@code edge} with the window's histograms; says what was read or why not. */
    private static String edgeNote(Optional<String> before, Optional<String> after,
            List<HopReport.EdgeHistogram> edge) {
        if (before.isEmpty() || after.isEmpty()) {
            return "edge metrics: the scrape failed at the window's " + (before.isEmpty() ? "start" : "end")
                    + ", so the edge rows are missing";
        }
        List<String> missing = new ArrayList<>();
        edgeRow(before.get(), after.get(), DISPATCH, Map.of(), "edge: fan-out polled → frame handed to the last "
                + "local recipient's socket", edge, missing);
        edgeRow(before.get(), after.get(), FANOUT_LATENCY, Map.of("cross_region", "false"), "(edge: SEND received → "
                + "frame handed to each recipient's socket, per copy)", edge, missing);
        return "edge metrics over the window (mean exact, quantiles interpolated in the buckets: coarse): "
                + "visible → socket ≈ the edge's own read_committed fetch (as t5 here) + " + DISPATCH
                + (missing.isEmpty() ? "" : "; not served by this edge: " + missing);
    }

    private static void edgeRow(String before, String after, String metric, Map<String, String> labels,
            String meaning, List<HopReport.EdgeHistogram> edge, List<String> missing) {
        Optional<PrometheusHistogram> from = PrometheusHistogram.parse(before, metric, labels);
        Optional<PrometheusHistogram> to = PrometheusHistogram.parse(after, metric, labels);
        if (to.isEmpty()) {
            missing.add(metric);
            return;
        }
        PrometheusHistogram window = from.map(to.get()::minus).orElse(to.get());
        edge.add(new HopReport.EdgeHistogram(metric, meaning, Math.round(window.count()), round(window.mean()),
                round(window.quantile(0.5)), round(window.quantile(0.95)), round(window.quantile(0.99))));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** Handles one record and the wall-clock millis at which its poll returned. */
    @FunctionalInterface
    private interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record, long polledAt);
    }

    /** One poll's records and the wall-clock millis at which the poll returned. */
    private record Polled(ConsumerRecords<byte[], byte[]> records, long at) {}

    /**
     * One consumer on its own thread: every partition of one topic, from the end, no group. It only notes when each
     * poll returned; a second thread decodes (the first decode of a schema asks the registry, which must not delay
     * the next poll's timestamp).
     */
    private final class Tail {
        private static final Polled END = new Polled(ConsumerRecords.empty(), 0);

        private final String name;
        private final String topic;
        private final RecordHandler handler;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread poller;
        private final Thread decoder;
        private final BlockingQueue<Polled> polled = new LinkedBlockingQueue<>();
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile boolean running = true;
        private volatile RuntimeException failure;
        // Found once on the consumer's thread; a KafkaMetric may be read from any thread, the consumer may not.
        private volatile Metric fetchLatency;

        Tail(String name, String topic, String isolation, RecordHandler handler) {
            this.name = name;
            this.topic = topic;
            this.handler = handler;
            this.consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap(),
                    ConsumerConfig.CLIENT_ID_CONFIG, "natter-hops-" + name,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, options.fetchMaxWaitMs(),
                    ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.poller = Thread.ofPlatform().daemon().name("hops-" + name).unstarted(this::poll);
            this.decoder = Thread.ofPlatform().daemon().name("hops-" + name + "-decode").unstarted(this::decode);
        }

        void start() {
            decoder.start();
            poller.start();
        }

        void awaitReady() throws InterruptedException {
            if (!ready.await(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": not positioned on " + topic + " within "
                        + READY_TIMEOUT.toSeconds() + " s (is Kafka at " + options.bootstrap() + "?)");
            }
            if (failure != null) {
                throw new IllegalStateException(name + " failed: " + failure.getMessage(), failure);
            }
        }

        private void poll() {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, READY_TIMEOUT).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                // seekToEnd is lazy: resolve now, so nothing written after "ready" is missed.
                partitions.forEach(consumer::position);
                fetchLatency = consumer.metrics().entrySet().stream()
                        .filter(m -> m.getKey().name().equals("fetch-latency-avg")
                                && m.getKey().group().equals("consumer-fetch-manager-metrics"))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                ready.countDown();
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    long at = System.currentTimeMillis();
                    if (!records.isEmpty()) {
                        polled.add(new Polled(records, at));
                    }
                }
            } catch (WakeupException e) {
                // close() woke the poll.
            } catch (RuntimeException e) {
                failure = e;
                ready.countDown();
            } finally {
                polled.add(END);
                consumer.close(Duration.ofSeconds(2));
            }
        }

        private void decode() {
            try {
                for (Polled next = polled.take(); next != END; next = polled.take()) {
                    for (ConsumerRecord<byte[], byte[]> record : next.records()) {
                        try {
                            handler.handle(record, next.at());
                        } catch (RuntimeException e) {
                            undecodable.incrementAndGet();
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Polls not decoded yet. */
        int backlog() {
            return polled.size();
        }

        /** The consumer's fetch-latency-avg so far, ms (NaN if unknown). */
        double fetchLatencyAvgMs() {
            Metric metric = fetchLatency;
            return metric != null && metric.metricValue() instanceof Double value
                    ? Math.round(value * 100) / 100.0 : Double.NaN;
        }

        void close() {
            running = false;
            consumer.wakeup();
            try {
                poller.join(Duration.ofSeconds(5));
                decoder.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
