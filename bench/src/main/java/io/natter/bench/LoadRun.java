package io.natter.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * One message-load run against a {@link Target}: creates the rooms, connects every client, has each active client
 * send at its paced rate through warm-up and the measured window, prints a progress line a second, drains, and
 * returns the {@link LoadReport}. Every timestamp is this JVM's {@code System.nanoTime()}: senders and receivers
 * all live here, so send-to-receive latency needs no clock sync.
 */
final class LoadRun {
    private static final int ROOM_CREATES_IN_FLIGHT = 16;
    private static final int ROOM_CREATE_ATTEMPTS = 5;
    /** The one ERROR code after which a send may still be accepted (the edge gave up waiting for the verdict). */
    private static final String TIMEOUT = "TIMEOUT";
    private static final Duration STALLED_READ_QUIET = Duration.ofSeconds(3);
    private static final Duration STALLED_READ_MAX = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoadOptions options;
    private final Target target;
    private final PrintStream progress;
    private final Placement placement;
    private final Pacer pacer;
    private final CopyLedger ledger;
    private final JsonFactory json = new JsonFactory();
    private final LatencyRecorder delivery = new LatencyRecorder();
    private final LatencyRecorder warmupDelivery = new LatencyRecorder();
    private final LatencyRecorder observerDelivery = new LatencyRecorder();
    private final LatencyRecorder ack = new LatencyRecorder();
    private final LatencyRecorder senderLag = new LatencyRecorder();
    private final Histogram othersBeforeFirstClose = new Histogram(3);
    private final Histogram othersAfterLastClose = new Histogram(3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> connectFailures = new ConcurrentHashMap<>();
    private final LongAdder errorCount = new LongAdder();
    private final LongAdder closeCount = new LongAdder();
    private final LongAdder warmupSent = new LongAdder();
    private final LongAdder copiesThisTick = new LongAdder();
    private final List<LoadReport.Tick> timeline = new CopyOnWriteArrayList<>();
    private final List<Double> serverClosesAt = new CopyOnWriteArrayList<>();
    private final HttpClient rest = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private long lastTickMessages;
    private double slowConsumerBaseline = Double.NaN;

    private LoadRun(LoadOptions options, Target target, PrintStream progress, String runId) {
        this.options = options;
        this.target = target;
        this.progress = progress;
        this.placement = new Placement(runId, options.clients(), options.rooms(), options.stalled(),
                options.observers());
        this.pacer = new Pacer(options.rate(), options.jitter());
        this.ledger = new CopyLedger(options.observers());
    }

    /** Runs the load described by {@code options} against {@code target}, printing progress to {@code progress}. */
    static LoadReport run(LoadOptions options, Target target, PrintStream progress, String runId)
            throws IOException, InterruptedException {
        LoadRun run = new LoadRun(options, target, progress, runId);
        try {
            return run.execute();
        } finally {
            run.rest.close();
        }
    }

    private LoadReport execute() throws IOException, InterruptedException {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < options.clients(); i++) {
            users.add(placement.activeUser(i));
        }
        for (int k = 0; k < options.stalled(); k++) {
            users.add(placement.stalledUser(k));
        }
        for (int k = 0; k < options.observers(); k++) {
            users.add(placement.observerUser(k));
        }
        long begin = System.nanoTime();
        Map<String, String> tokens = Tokens.fetch(target.tokens(), users, options.connectConcurrency());
        progress.printf(Locale.ROOT, "tokens for %d users in %.1f s%n", users.size(), seconds(System.nanoTime() - begin));
        begin = System.nanoTime();
        createRooms(tokens);
        progress.printf(Locale.ROOT, "%d rooms created in %.1f s%n", options.rooms(), seconds(System.nanoTime() - begin));

        LoadClients clients = new LoadClients();
        List<LoadClient> active = new ArrayList<>();
        List<LoadClient> stalled = new ArrayList<>();
        List<StalledReads> stalledReads = new ArrayList<>();
        List<LoadClient> observers = new ArrayList<>();
        try {
            begin = System.nanoTime();
            Connector connector = new Connector(clients, target.edges(), options.connectConcurrency());
            List<CompletableFuture<LoadClient>> pending = new ArrayList<>();
            for (int i = 0; i < options.clients(); i++) {
                int client = i;
                pending.add(connector.connect(i, tokens.get(placement.activeUser(i)),
                        (text, at) -> onActiveFrame(client, text, at), true));
            }
            for (int k = 0; k < options.stalled(); k++) {
                StalledReads reads = new StalledReads();
                stalledReads.add(reads);
                pending.add(connector.connect(options.clients() + k, tokens.get(placement.stalledUser(k)),
                        reads::onFrame, false));
            }
            for (int k = 0; k < options.observers(); k++) {
                int observer = k;
                pending.add(connector.connect(options.clients() + options.stalled() + k,
                        tokens.get(placement.observerUser(k)), (text, at) -> onObserverFrame(observer, text, at), true));
            }
            // Wait for every handshake, so a failure report names all the reasons, not the first.
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(error -> null).join();
            if (!connectFailures.isEmpty()) {
                pending.stream().filter(f -> !f.isCompletedExceptionally()).map(CompletableFuture::join)
                        .forEach(active::add);
                throw new IllegalStateException("connections failed: " + LoadReport.counts(snapshot(connectFailures)));
            }
            for (int i = 0; i < pending.size(); i++) {
                LoadClient client = pending.get(i).join();
                String role = i < options.clients() ? "active" : i < options.clients() + options.stalled()
                        ? "stalled" : "observer";
                client.closed().thenAccept(closed -> {
                    closeCount.increment();
                    // The code alone keeps the row short; an error's reason says what failed.
                    count(closes, role + " " + (closed.code() == LoadClient.Closed.ERROR ? describe(closed)
                            : Integer.toString(closed.code())));
                });
                (role.equals("active") ? active : role.equals("stalled") ? stalled : observers).add(client);
            }
            progress.printf(Locale.ROOT, "%d connections over %d edge(s) in %.1f s%n", users.size(),
                    target.edges().size(), seconds(System.nanoTime() - begin));
            return measure(active, stalled, stalledReads);
        } finally {
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (List<LoadClient> group : List.of(active, stalled, observers)) {
                group.forEach(client -> closing.add(client.closeAsync()));
            }
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).join();
            clients.close();
        }
    }

    private LoadReport measure(List<LoadClient> active, List<LoadClient> stalled, List<StalledReads> stalledReads)
            throws InterruptedException {
        ProcessCpu serverCpu = new ProcessCpu(target.serverProcesses(), ProcessCpu.clockTicksPerSecond());
        ProcessCpu clientCpu = new ProcessCpu(List.of(new LoadOptions.NamedPid("generator",
                ProcessHandle.current().pid())), ProcessCpu.clockTicksPerSecond());
        if (options.stalled() > 0) {
            slowConsumerBaseline = slowConsumerCloses();
        }
        ScheduledThreadPoolExecutor senders = new ScheduledThreadPoolExecutor(2, named("load-send"));
        senders.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ScheduledThreadPoolExecutor ticker = new ScheduledThreadPoolExecutor(1, named("load-progress"));
        long start = System.nanoTime();
        windowStart = start + options.warmup().toNanos();
        windowEnd = windowStart + options.duration().toNanos();
        SplittableRandom seeds = new SplittableRandom(placement.runId().hashCode());
        for (int i = 0; i < active.size(); i++) {
            Sender sender = new Sender(i, active.get(i), seeds.split(), senders);
            sender.intended = start + pacer.firstDelayNanos(sender.random);
            senders.schedule(sender, sender.intended - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        ticker.schedule(() -> {
            serverCpu.start();
            clientCpu.start();
        }, windowStart - System.nanoTime(), TimeUnit.NANOSECONDS);
        ticker.schedule(() -> {
            serverCpu.sample();
            clientCpu.sample();
        }, windowEnd - System.nanoTime(), TimeUnit.NANOSECONDS);
        ticker.scheduleAtFixedRate(() -> tick(serverCpu, clientCpu), 1, 1, TimeUnit.SECONDS);

        TimeUnit.NANOSECONDS.sleep(windowEnd - System.nanoTime());
        senders.shutdown();
        senders.awaitTermination(10, TimeUnit.SECONDS);
        long drainUntil = System.nanoTime() + options.drain().toNanos();
        while (System.nanoTime() < drainUntil && !ledger.summary().settled()) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        ticker.shutdown();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
        tick(serverCpu, clientCpu);

        List<LoadReport.StalledClient> stalledClients = new ArrayList<>();
        for (int k = 0; k < stalled.size(); k++) {
            stalledClients.add(readStalled(placement.stalledUser(k), stalled.get(k), stalledReads.get(k)));
        }
        return report(serverCpu, clientCpu, stalledClients);
    }

    /** One active client's pacing: sends, then schedules its next send from the intended (not actual) time. */
    private final class Sender implements Runnable {
        private final int client;
        private final LoadClient connection;
        private final SplittableRandom random;
        private final ScheduledThreadPoolExecutor scheduler;
        private final String roomId;
        private final int roomSize;
        private final int slot;
        private long intended;
        private long count;

        Sender(int client, LoadClient connection, SplittableRandom random, ScheduledThreadPoolExecutor scheduler) {
            this.client = client;
            this.connection = connection;
            this.random = random;
            this.scheduler = scheduler;
            int room = placement.roomOf(client);
            this.roomId = placement.roomId(room);
            this.roomSize = placement.activeMembers(room);
            this.slot = placement.slotOf(client);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            if (now >= windowEnd) {
                return;
            }
            boolean measured = now >= windowStart;
            long id = measured ? ledger.register(now, roomSize, slot) : MessageStamp.WARMUP;
            MessageStamp stamp = new MessageStamp(id, now);
            if (measured) {
                senderLag.record(now - intended);
            } else {
                warmupSent.increment();
            }
            String frame = "{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + roomId + "\",\"clientMsgId\":\""
                    + stamp.clientMsgId(client, ++count) + "\",\"content\":\"" + stamp.content(options.messageBytes())
                    + "\"}";
            if (!connection.send(frame)) {
                // Never written, so it owes no copies; the close itself is in the report's closes.
                if (measured) {
                    ledger.rejected(id);
                }
                count(errors, "(send failed: connection closed)");
                return;
            }
            intended += pacer.nextGapNanos(random);
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this, Math.max(0, intended - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void onActiveFrame(int client, String text, long at) {
        ServerFrame frame = parse(text);
        if (frame == null || frame.type() == null) {
            return;
        }
        switch (frame.type()) {
            case "MESSAGE" -> {
                MessageStamp stamp = MessageStamp.parseContent(frame.content());
                if (stamp == null) {
                    count(errors, "(MESSAGE not from this run)");
                } else if (stamp.warmup()) {
                    warmupDelivery.record(at - stamp.sentNanos());
                    copiesThisTick.increment();
                } else if (ledger.receivedByMember(stamp.id(), placement.slotOf(client)) == CopyLedger.Receipt.FIRST) {
                    delivery.record(at - stamp.sentNanos());
                    copiesThisTick.increment();
                }
            }
            case "ACK" -> {
                long id = MessageStamp.idOfClientMsgId(frame.clientMsgId());
                if (id != MessageStamp.WARMUP) {
                    long sent = ledger.acked(id);
                    if (sent >= 0) {
                        ack.record(at - sent);
                    }
                }
            }
            case "ERROR" -> {
                errorCount.increment();
                count(errors, frame.code() == null ? "(no code)" : frame.code());
                long id = MessageStamp.idOfClientMsgId(frame.ref());
                if (id != MessageStamp.WARMUP) {
                    if (TIMEOUT.equals(frame.code())) {
                        ledger.timedOut(id);
                    } else {
                        ledger.rejected(id);
                    }
                }
            }
            default -> { }
        }
    }

    private void onObserverFrame(int observer, String text, long at) {
        ServerFrame frame = parse(text);
        if (frame == null || !"MESSAGE".equals(frame.type())) {
            if (frame != null && "ERROR".equals(frame.type())) {
                errorCount.increment();
                count(errors, "observer " + frame.code());
            }
            return;
        }
        MessageStamp stamp = MessageStamp.parseContent(frame.content());
        if (stamp != null && !stamp.warmup()
                && ledger.receivedByObserver(stamp.id(), observer) == CopyLedger.Receipt.FIRST) {
            observerDelivery.record(at - stamp.sentNanos());
            copiesThisTick.increment();
        }
    }

    private ServerFrame parse(String text) {
        try {
            return ServerFrame.parse(json, text);
        } catch (IOException e) {
            count(errors, "(unparsable frame)");
            return null;
        }
    }

    /** What a stalled client read once it read again. */
    private static final class StalledReads {
        private final AtomicLong frames = new AtomicLong();
        private final AtomicLong messages = new AtomicLong();
        private volatile long lastFrameNanos = System.nanoTime();

        void onFrame(String text, long at) {
            frames.incrementAndGet();
            if (text.contains("\"type\":\"MESSAGE\"")) {
                messages.incrementAndGet();
            }
            lastFrameNanos = at;
        }
    }

    /** Lets a stalled client read what the edge queued, until it is closed or nothing came for a few seconds. */
    private LoadReport.StalledClient readStalled(String user, LoadClient client, StalledReads reads)
            throws InterruptedException {
        long deadline = System.nanoTime() + STALLED_READ_MAX.toNanos();
        reads.lastFrameNanos = System.nanoTime();
        client.resumeReading();
        while (!client.closed().isDone() && System.nanoTime() < deadline
                && System.nanoTime() - reads.lastFrameNanos < STALLED_READ_QUIET.toNanos()) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        String close = client.closed().isDone() ? "closed " + describe(client.closed().join())
                : "still open";
        return new LoadReport.StalledClient(user, close, reads.frames.get(), reads.messages.get());
    }

    private void tick(ProcessCpu serverCpu, ProcessCpu clientCpu) {
        long now = System.nanoTime();
        String phase = now < windowStart ? "warm-up" : now < windowEnd ? "measure" : "drain";
        Histogram interval = delivery.interval();
        Histogram warmInterval = warmupDelivery.interval();
        observerDelivery.interval();
        Histogram acks = ack.interval();
        senderLag.interval();
        if (phase.equals("measure")) {
            serverCpu.sample();
            clientCpu.sample();
        }
        long slowCloses = 0;
        if (options.stalled() > 0) {
            double current = slowConsumerCloses();
            slowCloses = Double.isNaN(current) || Double.isNaN(slowConsumerBaseline) ? 0
                    : (long) (current - slowConsumerBaseline);
            double t = (now - windowStart) / 1e9;
            while (serverClosesAt.size() < slowCloses) {
                serverClosesAt.add(Math.round(t * 10) / 10.0);
            }
            if (!phase.equals("warm-up")) {
                if (slowCloses == 0) {
                    othersBeforeFirstClose.add(interval);
                } else if (slowCloses >= options.stalled()) {
                    othersAfterLastClose.add(interval);
                }
            }
        }
        long messages = ledger.messages();
        long sentThisTick = messages - lastTickMessages + warmupSent.sumThenReset();
        lastTickMessages = messages;
        long copies = copiesThisTick.sumThenReset();
        Histogram shown = phase.equals("warm-up") ? warmInterval : interval;
        double p99 = shown.getTotalCount() == 0 ? 0 : shown.getValueAtPercentile(99) / 1000.0;
        double t = Math.round((now - windowStart) / 1e8) / 10.0;
        timeline.add(new LoadReport.Tick(t, phase, sentThisTick, copies, p99, errorCount.sum(), closeCount.sum(),
                slowCloses));
        Percentiles soFar = Percentiles.of(delivery.total());
        progress.printf(Locale.ROOT, "[%-7s %6.1fs] sent %6d/s  delivered %7d/s  p99 %7.1f ms (so far %.1f)  "
                        + "ack p99 %.1f  errors %d  closed %d%s%n", phase, t, sentThisTick, copies, p99, soFar.p99(),
                acks.getTotalCount() == 0 ? 0 : acks.getValueAtPercentile(99) / 1000.0, errorCount.sum(),
                closeCount.sum(), options.stalled() > 0 ? "  4008 " + slowCloses : "");
    }

    /** The edges' slow-consumer close counter, summed; NaN if any edge's /metrics cannot be read. */
    private double slowConsumerCloses() {
        double sum = 0;
        for (URI edge : target.edges()) {
            try {
                HttpResponse<String> response = rest.send(HttpRequest.newBuilder(
                                LoadOptions.restBase(edge).resolve("/metrics")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                sum += PrometheusText.sum(response.body(), "chat_slow_consumer_closes_total").orElse(0);
            } catch (IOException e) {
                return Double.NaN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }
        return sum;
    }

    private LoadReport report(ProcessCpu serverCpu, ProcessCpu clientCpu, List<LoadReport.StalledClient> stalled) {
        CopyLedger.Summary counts = ledger.summary();
        double seconds = options.duration().toMillis() / 1000.0;
        List<ProcessCpu.Usage> server = serverCpu.usage();
        double serverCores = server.stream().mapToDouble(ProcessCpu.Usage::cores).sum();
        Double clientCores = target.sharesJvmWithServers() ? null : clientCpu.usage().getFirst().cores();
        LoadReport.Stall stall = options.stalled() == 0 ? null : new LoadReport.Stall(
                Percentiles.of(othersBeforeFirstClose), Percentiles.of(othersAfterLastClose),
                List.copyOf(serverClosesAt), stalled);
        return new LoadReport(options.label(), target.description(), placement.runId(), options.clients(),
                options.rooms(), options.rate(), options.messageBytes(), target.edges().size(), options.stalled(),
                options.observers(), options.warmup().toMillis() / 1000.0, seconds, counts,
                (counts.receivedByOthers() + counts.observerReceived()) / seconds,
                (counts.receivedCopies() + counts.observerReceived()) / seconds,
                Percentiles.of(delivery.total()), Percentiles.of(ack.total()),
                Percentiles.of(observerDelivery.total()), Percentiles.of(senderLag.total()),
                snapshot(errors), snapshot(closes), snapshot(connectFailures), server, serverCores, clientCores, stall,
                List.copyOf(timeline));
    }

    private void createRooms(Map<String, String> tokens) throws InterruptedException, IOException {
        ExecutorService pool = Executors.newFixedThreadPool(ROOM_CREATES_IN_FLIGHT, named("load-rooms"));
        try {
            List<Future<Void>> creates = new ArrayList<>();
            for (int r = 0; r < options.rooms(); r++) {
                int room = r;
                creates.add(pool.submit(() -> {
                    createRoom(room, tokens.get(placement.owner(room)));
                    return null;
                }));
            }
            for (Future<Void> create : creates) {
                create.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Creates one room, retrying while the edge answers 503 (a busy topology can miss the edge's request timeout);
     * after a retry, ROOM_EXISTS means an earlier attempt went through (room ids are this run's own).
     */
    private void createRoom(int room, String token) throws IOException, InterruptedException {
        String roomId = placement.roomId(room);
        String body = JSON.writeValueAsString(Map.of("roomId", roomId, "name", roomId, "visibility", "private",
                "members", placement.members(room)));
        HttpRequest request = HttpRequest.newBuilder(target.restBase().resolve("/api/rooms"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = rest.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201 || (response.statusCode() == 409 && attempt > 1)) {
                return;
            }
            if (response.statusCode() != 503 || attempt == ROOM_CREATE_ATTEMPTS) {
                throw new IllegalStateException("creating room " + roomId + ": HTTP " + response.statusCode() + " "
                        + response.body() + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
            }
            progress.println("creating room " + roomId + ": HTTP 503, retrying (" + response.body() + ")");
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** Opens connections round-robin over the edges, a bounded number of handshakes at a time. */
    private final class Connector {
        private final LoadClients clients;
        private final List<URI> edges;
        private final Semaphore inFlight;

        Connector(LoadClients clients, List<URI> edges, int concurrency) {
            this.clients = clients;
            this.edges = edges;
            this.inFlight = new Semaphore(concurrency);
        }

        CompletableFuture<LoadClient> connect(int n, String token, LoadClient.Handler handler, boolean reading)
                throws InterruptedException {
            inFlight.acquire();
            return clients.connect(edges.get(n % edges.size()), token, handler, reading)
                    .whenComplete((client, error) -> {
                        inFlight.release();
                        if (error != null) {
                            count(connectFailures, LoadClient.failureReason(error));
                        }
                    });
        }
    }

    static String describe(LoadClient.Closed closed) {
        return closed.code() == LoadClient.Closed.ERROR ? "error " + closed.reason()
                : closed.code() + (closed.reason() == null || closed.reason().isEmpty() ? "" : " " + closed.reason());
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((key, value) -> copy.put(key, value.sum()));
        return copy;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
