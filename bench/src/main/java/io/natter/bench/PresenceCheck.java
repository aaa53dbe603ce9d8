package io.natter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Exit criterion 4: presence clears on disconnect and on TTL expiry. A watcher subscribes to the presence of a room
 * and times the {@code PRESENCE} frames it gets about another member: ONLINE on connect; OFFLINE after a normal
 * close and after an abrupt TCP drop (no close frame), each within the offline grace + 2 s; and, when given an edge
 * process to kill, OFFLINE within the TTL + 5 s after the edge holding the user died with SIGKILL.
 */
final class PresenceCheck {
    /** The seed's and the README's slack over the grace (disconnect) and over the TTL (edge death). */
    static final Duration DISCONNECT_SLACK = Duration.ofSeconds(2);
    static final Duration TTL_SLACK = Duration.ofSeconds(5);
    private static final Duration ONLINE_WAIT = Duration.ofSeconds(10);
    /** How much longer than the bound to keep waiting, so a late OFFLINE is still reported with its figure. */
    private static final Duration LATE_WAIT = Duration.ofSeconds(10);

    /** Milliseconds from the cause to the watcher's frame; empty when the frame never came. */
    record Timings(OptionalDouble onlineMs, OptionalDouble offlineAfterCloseMs, OptionalDouble offlineAfterDropMs) {}

    private PresenceCheck() {}

    static String disconnectCriterion() {
        return "presence clears on disconnect (OFFLINE within grace + 2 s, clean close and abrupt TCP drop)";
    }

    static String ttlCriterion() {
        return "presence clears on TTL expiry (OFFLINE within TTL + 5 s after the user's edge is killed)";
    }

    /** PASS when the user went ONLINE and both disconnects gave OFFLINE within the grace + 2 s. */
    static CriterionResult judgeDisconnect(Timings timings, Duration grace) {
        double bound = grace.plus(DISCONNECT_SLACK).toMillis();
        boolean pass = timings.onlineMs().isPresent() && within(timings.offlineAfterCloseMs(), bound)
                && within(timings.offlineAfterDropMs(), bound);
        String figure = String.format(Locale.ROOT, "ONLINE %s after connecting; OFFLINE %s after a normal close, %s "
                        + "after an abrupt TCP drop (bound %s ms = grace %d ms + 2 s)",
                ms(timings.onlineMs()), ms(timings.offlineAfterCloseMs()), ms(timings.offlineAfterDropMs()),
                LoadReport.number(bound), grace.toMillis());
        return CriterionResult.of(disconnectCriterion(), pass, figure);
    }

    /** PASS when the user went ONLINE and OFFLINE came within the TTL + 5 s of the kill. */
    static CriterionResult judgeTtl(OptionalDouble onlineMs, OptionalDouble offlineAfterKillMs, Duration ttl,
            long killedPid) {
        double bound = ttl.plus(TTL_SLACK).toMillis();
        boolean pass = onlineMs.isPresent() && within(offlineAfterKillMs, bound);
        String figure = String.format(Locale.ROOT, "edge pid %d killed with SIGKILL: OFFLINE %s later (bound %s ms = "
                        + "TTL %d ms + 5 s)", killedPid, ms(offlineAfterKillMs), LoadReport.number(bound),
                ttl.toMillis());
        return CriterionResult.of(ttlCriterion(), pass,
                onlineMs.isPresent() ? figure : "the user never showed ONLINE; " + figure);
    }

    /** Why the TTL check did not run. */
    static CriterionResult ttlSkipped() {
        return CriterionResult.skipped(ttlCriterion(), "needs --edge-pid <pid of one of two or more --edges> to "
                + "kill an edge holding a user (e.g. ./natter dev --edges 2, then --edges ws://127.0.0.1:8080/ws,"
                + "ws://127.0.0.1:8082/ws --edge-pid $(cat .natter/run/edge-2.pid)); a client alone cannot make the "
                + "edge lose a socket without noticing, and an abrupt drop is a disconnect, checked above");
    }

    static CriterionResult runDisconnect(ExitCriteriaOptions options, Probes probes)
            throws IOException, InterruptedException {
        List<URI> edges = options.edges();
        String watcher = probes.id("watcher");
        String user = probes.id("presence-user");
        String roomId = probes.id("presence");
        probes.createRoom(roomId, watcher, List.of(user));
        ProbeClient watching = subscribe(probes, edges.getFirst(), watcher, roomId);
        // The user on another edge when there is one: the transition has to cross edges (Redis pub/sub).
        URI userEdge = edges.get(1 % edges.size());
        Duration offlineWait = options.presenceGrace().plus(DISCONNECT_SLACK).plus(LATE_WAIT);

        int from = watching.frames().size();
        ProbeClient first = probes.connect(userEdge, user);
        long connected = System.nanoTime();
        OptionalDouble online = since(connected, watching.await(presence(user, "ONLINE"), from, ONLINE_WAIT));
        from = watching.frames().size();
        long closed = first.closeNormally();
        OptionalDouble afterClose = since(closed, watching.await(presence(user, "OFFLINE"), from, offlineWait));

        from = watching.frames().size();
        ProbeClient second = probes.connect(userEdge, user);
        watching.await(presence(user, "ONLINE"), from, ONLINE_WAIT);
        from = watching.frames().size();
        long dropped = second.abort();
        OptionalDouble afterDrop = since(dropped, watching.await(presence(user, "OFFLINE"), from, offlineWait));
        return judgeDisconnect(new Timings(online, afterClose, afterDrop), options.presenceGrace());
    }

    static CriterionResult runTtl(ExitCriteriaOptions options, Probes probes) throws IOException,
            InterruptedException {
        long pid = options.edgePid().orElseThrow();
        URI victim = edgeOf(pid, options.edges());
        URI survivor = options.edges().stream().filter(edge -> !edge.equals(victim)).findFirst().orElseThrow();
        String watcher = probes.id("ttl-watcher");
        String user = probes.id("ttl-user");
        String roomId = probes.id("ttl");
        probes.createRoom(roomId, watcher, List.of(user));
        ProbeClient watching = subscribe(probes, survivor, watcher, roomId);
        int from = watching.frames().size();
        probes.connect(victim, user);
        long connected = System.nanoTime();
        OptionalDouble online = since(connected, watching.await(presence(user, "ONLINE"), from, ONLINE_WAIT));
        if (online.isEmpty()) {
            return judgeTtl(online, OptionalDouble.empty(), options.presenceTtl(), pid);
        }
        from = watching.frames().size();
        ProcessHandle edge = ProcessHandle.of(pid).orElseThrow(() -> new IOException("no process " + pid));
        long killed = System.nanoTime();
        // destroyForcibly is SIGKILL on Linux: the edge neither closes its sockets' sessions nor clears presence.
        edge.destroyForcibly();
        Duration wait = options.presenceTtl().plus(TTL_SLACK).plus(LATE_WAIT);
        OptionalDouble offline = since(killed, watching.await(presence(user, "OFFLINE"), from, wait));
        return judgeTtl(online, offline, options.presenceTtl(), pid);
    }

    /** Which of {@code edges} the process {@code pid} listens on. */
    static URI edgeOf(long pid, List<URI> edges) throws IOException {
        for (URI edge : edges) {
            OptionalLong listener = ListeningProcess.of(edge.getPort(), List.of(pid));
            if (listener.isPresent() && listener.getAsLong() == pid) {
                return edge;
            }
        }
        throw new IOException("process " + pid + " listens on none of " + edges + " (give the pid of an edge)");
    }

    private static ProbeClient subscribe(Probes probes, URI edge, String watcher, String roomId)
            throws IOException, InterruptedException {
        ProbeClient watching = probes.connect(edge, watcher);
        watching.send("{\"type\":\"SUBSCRIBE_PRESENCE\",\"roomId\":\"" + roomId + "\"}");
        Optional<ProbeClient.Frame> snapshot = watching.await(
                json -> json.path("type").asText().equals("PRESENCE_SNAPSHOT") || json.path("type").asText()
                        .equals("ERROR"), 0, ONLINE_WAIT);
        if (snapshot.isEmpty() || !snapshot.get().json().path("type").asText().equals("PRESENCE_SNAPSHOT")) {
            throw new IOException("SUBSCRIBE_PRESENCE " + roomId + " was answered "
                    + snapshot.map(f -> f.json().toString()).orElse("nothing"));
        }
        return watching;
    }

    private static java.util.function.Predicate<JsonNode> presence(String user, String status) {
        return json -> json.path("type").asText().equals("PRESENCE") && json.path("userId").asText().equals(user)
                && json.path("status").asText().equals(status);
    }

    private static OptionalDouble since(long startNanos, Optional<ProbeClient.Frame> frame) {
        return frame.map(f -> OptionalDouble.of(Math.max(0, f.receivedNanos() - startNanos) / 1e6))
                .orElse(OptionalDouble.empty());
    }

    private static boolean within(OptionalDouble value, double bound) {
        return value.isPresent() && value.getAsDouble() <= bound;
    }

    private static String ms(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.0f ms", value.getAsDouble()) : "never";
    }
}
