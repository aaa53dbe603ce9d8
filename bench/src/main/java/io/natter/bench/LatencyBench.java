package io.natter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.edge.EdgeConfig;
import io.natter.edge.EdgeServer;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.AvroTrust;
import io.natter.schemas.TopicNames;
import io.natter.topologies.TopologiesApp;
import io.natter.topologies.TopologiesConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * End-to-end delivery latency through the real stack in one JVM (KRaft broker, Apicurio, topology, edge):
 * C WebSocket clients in R rooms each send M messages per second; every member's receipt of every message is
 * timed from the moment its sender handed the frame to the socket. Prints one markdown row per run, so the
 * cost of exactly-once (and of its commit interval) is measured, not assumed.
 */
public final class LatencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Options of one run, parsed from {@code --name value} pairs. */
    record Options(String guarantee, int commitIntervalMs, int clients, int rooms, int ratePerClient,
            Duration warmup, Duration duration, int partitions) {

        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --name value, got " + args[i]);
                }
                values.put(args[i].substring(2), args[i + 1]);
            }
            Options options = new Options(values.getOrDefault("guarantee", "exactly_once_v2"),
                    Integer.parseInt(values.getOrDefault("commit-interval-ms", "20")),
                    Integer.parseInt(values.getOrDefault("clients", "20")),
                    Integer.parseInt(values.getOrDefault("rooms", "4")),
                    Integer.parseInt(values.getOrDefault("rate", "10")),
                    Duration.ofSeconds(Long.parseLong(values.getOrDefault("warmup-s", "5"))),
                    Duration.ofSeconds(Long.parseLong(values.getOrDefault("duration-s", "20"))),
                    Integer.parseInt(values.getOrDefault("partitions", "6")));
            Set<String> known = Set.of("guarantee", "commit-interval-ms", "clients", "rooms", "rate", "warmup-s",
                    "duration-s", "partitions");
            values.keySet().stream().filter(key -> !known.contains(key)).findFirst().ifPresent(key -> {
                throw new IllegalArgumentException("unknown option --" + key + "; known: " + known);
            });
            return options;
        }
    }

    /** What the receivers saw. */
    private static final class Tally {
        final Histogram delivery = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
        final Histogram ack = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        volatile long measureFromNanos = Long.MAX_VALUE;
    }

    public static void main(String[] args) throws Exception {
        AvroTrust.install();
        Options options = Options.parse(args);
        Path dataDir = Files.createTempDirectory("natter-bench");
        List<AutoCloseable> stack = new ArrayList<>();
        try {
            run(options, dataDir, stack);
        } finally {
            for (int i = stack.size() - 1; i >= 0; i--) {
                stack.get(i).close();
            }
        }
        System.exit(0);
    }

    private static void run(Options options, Path dataDir, List<AutoCloseable> stack) throws Exception {
        CompletableFuture<SchemaRegistryServer> registryStart =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("registry"), 0));
        KafkaBroker broker = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        stack.add(broker);
        broker.createTopics(TopicNames.ALL, options.partitions());
        SchemaRegistryServer registry = registryStart.join();
        stack.add(registry);
        TopologiesApp topologies = TopologiesApp.start(TopologiesConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_TOPOLOGY_STATE_DIR", dataDir.resolve("streams").toString(),
                "NATTER_TOPOLOGY_QUERY_PORT", "0",
                "NATTER_PROCESSING_GUARANTEE", options.guarantee(),
                "NATTER_COMMIT_INTERVAL_MS", Integer.toString(options.commitIntervalMs()))));
        stack.add(topologies);
        topologies.awaitRunning(Duration.ofSeconds(120));
        EdgeConfig config = EdgeConfig.fromEnv(Map.of(
                "NATTER_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "NATTER_SCHEMA_REGISTRY_URL", registry.url(),
                "NATTER_EDGE_PORT", "0",
                "NATTER_NODE_ID", "edge-bench",
                "NATTER_TOPOLOGY_QUERY_URLS", "http://127.0.0.1:" + topologies.queryPort()));
        EdgeServer edge = EdgeServer.start(config);
        stack.add(edge);
        HmacTokenSigner tokens = new HmacTokenSigner(config.jwtSecret(), config.jwtIssuer(), config.jwtAudience(),
                Clock.systemUTC());
        String base = "http://127.0.0.1:" + edge.port();
        HttpClient http = HttpClient.newHttpClient();
        awaitReady(http, base);

        Tally tally = new Tally();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < options.clients(); i++) {
            users.add("u" + i);
        }
        List<List<String>> membersByRoom = new ArrayList<>();
        for (int r = 0; r < options.rooms(); r++) {
            List<String> members = new ArrayList<>();
            for (int i = r; i < users.size(); i += options.rooms()) {
                members.add(users.get(i));
            }
            membersByRoom.add(members);
            createRoom(http, base, tokens.sign(members.get(0), Duration.ofHours(1)), "bench-" + r, members);
        }
        List<WebSocket> sockets = new ArrayList<>();
        for (String user : users) {
            sockets.add(connect(http, edge.port(), tokens.sign(user, Duration.ofHours(1)), tally, sentAt, user));
        }

        ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
        AtomicLong sent = new AtomicLong();
        AtomicLong expectedCopies = new AtomicLong();
        long periodMicros = TimeUnit.SECONDS.toMicros(1) / options.ratePerClient();
        long started = System.nanoTime();
        for (int i = 0; i < sockets.size(); i++) {
            WebSocket socket = sockets.get(i);
            int room = i % options.rooms();
            int roomSize = membersByRoom.get(room).size();
            AtomicLong counter = new AtomicLong();
            senders.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                String clientMsgId = socket.hashCode() + "-" + counter.incrementAndGet();
                // The send time rides in the content, so every receiver in this JVM can time its copy.
                String frame = "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"bench-" + room + "\",\"clientMsgId\":\""
                        + clientMsgId + "\",\"content\":\"" + now + "\"}";
                if (now >= tally.measureFromNanos) {
                    sent.incrementAndGet();
                    expectedCopies.addAndGet(roomSize);
                }
                sentAt.put(clientMsgId, now);
                socket.sendText(frame, true).join();
            }, (periodMicros * i) / sockets.size(), periodMicros, TimeUnit.MICROSECONDS);
        }
        Thread.sleep(options.warmup().toMillis());
        tally.measureFromNanos = System.nanoTime();
        System.err.printf("warm-up done after %d ms, measuring for %d s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), options.duration().toSeconds());
        Thread.sleep(options.duration().toMillis());
        senders.shutdown();
        senders.awaitTermination(10, TimeUnit.SECONDS);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (tally.delivered.get() < expectedCopies.get() && System.nanoTime() < drainUntil) {
            Thread.sleep(50);
        }
        for (WebSocket socket : sockets) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        report(options, tally, sent.get(), expectedCopies.get());
    }

    private static void report(Options o, Tally tally, long sent, long expected) {
        Histogram d = tally.delivery;
        Histogram a = tally.ack;
        double seconds = o.duration().toMillis() / 1000.0;
        System.out.println("| guarantee | commit ms | clients | rooms | msg/s/client | sent | copies/s | "
                + "delivery p50/p95/p99/p99.9/max ms | ack p50/p99 ms | lost | dup | errors |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.0f | %s / %s / %s / %s / %s | %s / %s | %d | %d | %d |%n",
                o.guarantee(), o.commitIntervalMs(), o.clients(), o.rooms(), o.ratePerClient(), sent,
                d.getTotalCount() / seconds, ms(d, 50), ms(d, 95), ms(d, 99), ms(d, 99.9), ms(d, 100),
                ms(a, 50), ms(a, 99), Math.max(0, expected - d.getTotalCount()), tally.duplicates.get(),
                tally.errors.get());
    }

    private static String ms(Histogram histogram, double percentile) {
        return String.format(Locale.ROOT, "%.1f", histogram.getValueAtPercentile(percentile) / 1000.0);
    }

    private static void awaitReady(HttpClient http, String base) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/health/ready")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("edge not ready within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static void createRoom(HttpClient http, String base, String token, String roomId, List<String> members)
            throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("roomId", roomId, "name", roomId, "visibility", "private",
                "members", members));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/rooms"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("room " + roomId + ": " + response.statusCode() + " " + response.body());
        }
    }

    private static WebSocket connect(HttpClient http, int port, String token, Tally tally, Map<String, Long> sentAt,
            String user) {
        return http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?access_token=" + token), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            onFrame(partial.toString(), tally, sentAt, user);
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                }).join();
    }

    private static void onFrame(String text, Tally tally, Map<String, Long> sentAt, String user) {
        long now = System.nanoTime();
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (IOException e) {
            tally.errors.incrementAndGet();
            return;
        }
        switch (frame.path("type").asText()) {
            case "MESSAGE" -> {
                long sentNanos = Long.parseLong(frame.path("content").asText());
                if (sentNanos < tally.measureFromNanos) {
                    return;
                }
                if (!tally.seen.add(user + "/" + frame.path("messageId").asText())) {
                    tally.duplicates.incrementAndGet();
                    return;
                }
                tally.delivered.incrementAndGet();
                tally.delivery.recordValue(TimeUnit.NANOSECONDS.toMicros(now - sentNanos));
            }
            case "ACK" -> {
                Long sentNanos = sentAt.remove(frame.path("clientMsgId").asText());
                if (sentNanos != null && sentNanos >= tally.measureFromNanos) {
                    tally.ack.recordValue(TimeUnit.NANOSECONDS.toMicros(now - sentNanos));
                }
            }
            case "ERROR" -> tally.errors.incrementAndGet();
            default -> { }
        }
    }

    private LatencyBench() {}
}
