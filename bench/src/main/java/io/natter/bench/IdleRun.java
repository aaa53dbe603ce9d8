package io.natter.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
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
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Memory per idle connection: reads each edge process's RSS and live heap (after full GCs, through jcmd), opens N
 * connections that do nothing, waits until the edges count them as sessions, reads again, and divides.
 */
final class IdleRun {
    private static final int FILE_MARGIN = 500;
    private static final Duration SESSIONS_WAIT = Duration.ofSeconds(120);

    /** One edge's readings. */
    record EdgeMemory(String edge, long pid, int connections, long rssBefore, long rssAfter, long heapBefore,
            long heapAfter) {

        @JsonProperty
        long rssPerConnection() {
            return connections == 0 ? 0 : (rssAfter - rssBefore) / connections;
        }

        @JsonProperty
        long heapPerConnection() {
            return connections == 0 ? 0 : (heapAfter - heapBefore) / connections;
        }
    }

    /** The outcome: per-edge memory, the limits checked, and how many connections opened. */
    record IdleReport(String label, String target, String runId, int requested, int opened,
            Map<String, Long> connectFailures, double connectSeconds, SystemLimits limits, List<EdgeMemory> edges,
            boolean sharesJvmWithServers) {

        static String markdownHeader() {
            return "| label | edge | idle connections | RSS before → after MiB | heap after GC before → after MiB "
                    + "| RSS per connection | heap per connection |\n|---|---|---|---|---|---|---|";
        }

        List<String> markdownRows() {
            return edges.stream().map(e -> String.format(Locale.ROOT,
                    "| %s | %s | %d | %.1f → %.1f | %.1f → %.1f | %s | %s |", label.isEmpty() ? "-" : label,
                    e.edge(), e.connections(), mib(e.rssBefore()), mib(e.rssAfter()), mib(e.heapBefore()),
                    mib(e.heapAfter()), bytes(e.rssPerConnection()), bytes(e.heapPerConnection()))).toList();
        }

        List<String> details() {
            List<String> lines = new ArrayList<>();
            lines.add("- target: " + target + "; run " + runId + "; " + opened + " of " + requested
                    + " connections opened in " + LoadReport.number(Math.round(connectSeconds * 10) / 10.0) + " s"
                    + (connectFailures.isEmpty() ? "" : "; failures: " + LoadReport.counts(connectFailures)));
            lines.add("- limits: open files " + (limits.openFiles() == Long.MAX_VALUE ? "unlimited" : limits.openFiles())
                    + " (this process), ephemeral ports " + limits.ephemeralLow() + "-" + limits.ephemeralHigh()
                    + " (" + limits.ephemeralPorts() + " per edge address)");
            edges.forEach(e -> lines.add("- " + e.edge() + ": pid " + e.pid() + ", " + e.connections()
                    + " connections; RSS " + e.rssBefore() + " → " + e.rssAfter() + " bytes, heap after GC "
                    + e.heapBefore() + " → " + e.heapAfter() + " bytes"));
            if (sharesJvmWithServers) {
                lines.add("- in-process: the edge shares this JVM with the generator's own clients, so the figures "
                        + "include the client side; measure against ./natter dev for the edge alone");
            }
            return lines;
        }

        private static double mib(long bytes) {
            return bytes / 1048576.0;
        }

        private static String bytes(long bytes) {
            return Math.abs(bytes) >= 10 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0) : bytes + " B";
        }
    }

    private IdleRun() {}

    static IdleReport run(LoadOptions options, Target target, PrintStream progress, String runId)
            throws IOException, InterruptedException {
        int n = options.idle();
        List<URI> edges = target.edges();
        SystemLimits limits = SystemLimits.ofThisProcess();
        progress.printf("limits: open files %s for this process, ephemeral ports %d-%d%n",
                limits.openFiles() == Long.MAX_VALUE ? "unlimited" : limits.openFiles(), limits.ephemeralLow(),
                limits.ephemeralHigh());
        if (limits.openFiles() < n + FILE_MARGIN) {
            throw new IllegalStateException("this process may open " + limits.openFiles() + " files but needs about "
                    + (n + FILE_MARGIN) + " for " + n + " connections: raise it (ulimit -n " + (n + 2 * FILE_MARGIN)
                    + ", as root or within the hard limit) in the shell that runs ./bench/load");
        }
        int perEdge = (n + edges.size() - 1) / edges.size();
        if (perEdge > limits.ephemeralPorts()) {
            throw new IllegalStateException(perEdge + " connections to one edge address need as many ephemeral "
                    + "ports, but ip_local_port_range allows " + limits.ephemeralPorts() + "; add edges or widen "
                    + "/proc/sys/net/ipv4/ip_local_port_range");
        }
        List<Long> pids = edgePids(options, target, edges);
        for (int e = 0; e < edges.size(); e++) {
            OptionalLong edgeFiles = SystemLimits.openFilesOf(pids.get(e));
            if (edgeFiles.isPresent() && edgeFiles.getAsLong() < perEdge + FILE_MARGIN) {
                throw new IllegalStateException("edge " + edges.get(e) + " (pid " + pids.get(e) + ") may open "
                        + edgeFiles.getAsLong() + " files but needs about " + (perEdge + FILE_MARGIN)
                        + ": start the stack from a shell with ulimit -n " + (perEdge + 2 * FILE_MARGIN));
            }
        }

        ProcessMemory memory = ProcessMemory.withThisJdk();
        List<ProcessMemory.Reading> before = new ArrayList<>();
        for (long pid : pids) {
            before.add(memory.read(pid));
        }
        HttpClient rest = HttpClient.newHttpClient();
        double sessionsBefore = sessions(rest, edges);
        progress.printf(Locale.ROOT, "before: %s; %s sessions open%n", describe(before), LoadReport.number(sessionsBefore));

        List<String> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add(runId + "-idle" + i);
        }
        Map<String, String> tokens = Tokens.fetch(target.tokens(), users, options.connectConcurrency());
        LoadClients clients = new LoadClients();
        List<LoadClient> open = new ArrayList<>();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        int[] perEdgeOpened = new int[edges.size()];
        try {
            long begin = System.nanoTime();
            Semaphore inFlight = new Semaphore(options.connectConcurrency());
            List<CompletableFuture<LoadClient>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                pending.add(clients.connect(edges.get(i % edges.size()), tokens.get(users.get(i)), (text, at) -> { },
                        true).whenComplete((client, error) -> {
                            inFlight.release();
                            if (error != null) {
                                failures.computeIfAbsent(LoadClient.failureReason(error), k -> new LongAdder())
                                        .increment();
                            }
                        }));
                if ((i + 1) % 1000 == 0) {
                    progress.printf("%d connections requested%n", i + 1);
                }
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(error -> null).join();
            for (int i = 0; i < n; i++) {
                if (!pending.get(i).isCompletedExceptionally()) {
                    open.add(pending.get(i).join());
                    perEdgeOpened[i % edges.size()]++;
                }
            }
            double connectSeconds = (System.nanoTime() - begin) / 1e9;
            progress.printf(Locale.ROOT, "%d connections open in %.1f s%s%n", open.size(), connectSeconds,
                    failures.isEmpty() ? "" : ", failures " + failures);
            awaitSessions(rest, edges, sessionsBefore + open.size());

            List<ProcessMemory.Reading> after = new ArrayList<>();
            for (long pid : pids) {
                after.add(memory.read(pid));
            }
            progress.printf("after: %s%n", describe(after));
            List<EdgeMemory> measured = new ArrayList<>();
            for (int e = 0; e < edges.size(); e++) {
                measured.add(new EdgeMemory(edges.get(e).toString(), pids.get(e), perEdgeOpened[e],
                        before.get(e).rssBytes(), after.get(e).rssBytes(), before.get(e).heapAfterGcBytes(),
                        after.get(e).heapAfterGcBytes()));
            }
            if (!options.idleHold().isZero()) {
                progress.printf("holding %d connections for %d s%n", open.size(), options.idleHold().toSeconds());
                TimeUnit.NANOSECONDS.sleep(options.idleHold().toNanos());
            }
            Map<String, Long> failureCounts = new TreeMap<>();
            failures.forEach((key, value) -> failureCounts.put(key, value.sum()));
            return new IdleReport(options.label(), target.description(), runId, n, open.size(), failureCounts,
                    connectSeconds, limits, measured, target.sharesJvmWithServers());
        } finally {
            CompletableFuture.allOf(open.stream().map(LoadClient::closeAsync).toArray(CompletableFuture[]::new)).join();
            clients.close();
            rest.close();
        }
    }

    /** Each edge's pid: given, this JVM in-process, else the process listening on the edge's port. */
    private static List<Long> edgePids(LoadOptions options, Target target, List<URI> edges) throws IOException {
        if (options.edgePid().isPresent()) {
            if (edges.size() != 1) {
                throw new UsageException("--edge-pid names one edge, but " + edges.size() + " are given");
            }
            return List.of(options.edgePid().getAsLong());
        }
        List<Long> candidates = target.serverProcesses().stream().map(LoadOptions.NamedPid::pid).toList();
        List<Long> pids = new ArrayList<>();
        for (URI edge : edges) {
            OptionalLong pid = ListeningProcess.of(edge.getPort(), candidates);
            if (pid.isEmpty()) {
                throw new IllegalStateException("no process of this user listens on port " + edge.getPort()
                        + " (" + edge + "); give --edge-pid");
            }
            pids.add(pid.getAsLong());
        }
        return pids;
    }

    private static void awaitSessions(HttpClient rest, List<URI> edges, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + SESSIONS_WAIT.toNanos();
        double seen = sessions(rest, edges);
        while (seen < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(250);
            seen = sessions(rest, edges);
        }
        if (seen < expected) {
            throw new IllegalStateException("the edges report " + seen + " sessions, expected " + expected
                    + " after " + SESSIONS_WAIT.toSeconds() + " s");
        }
    }

    /** chat_ws_active_sessions summed over the edges. */
    private static double sessions(HttpClient rest, List<URI> edges) throws InterruptedException {
        double sum = 0;
        for (URI edge : edges) {
            try {
                String body = rest.send(HttpRequest.newBuilder(LoadOptions.restBase(edge).resolve("/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                sum += PrometheusText.sum(body, "chat_ws_active_sessions").orElseThrow(() ->
                        new IllegalStateException(edge + "/metrics has no chat_ws_active_sessions"));
            } catch (IOException e) {
                throw new IllegalStateException("could not read " + LoadOptions.restBase(edge) + "/metrics", e);
            }
        }
        return sum;
    }

    private static String describe(List<ProcessMemory.Reading> readings) {
        return readings.stream().map(r -> String.format(Locale.ROOT, "RSS %.1f MiB, heap after GC %.1f MiB",
                r.rssBytes() / 1048576.0, r.heapAfterGcBytes() / 1048576.0)).toList().toString();
    }
}
