package io.natter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Exit criterion 3, inbound: a client that floods is rate-limited and nothing beyond its allowance is written. One
 * client writes N sends at once; a second member of the room counts what was really written (its copies).
 */
final class FloodCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RATE_LIMITED = "RATE_LIMITED";
    /** Long enough for the topology's verdicts on a loaded machine (the edge times out at 5 s by default). */
    private static final Duration ANSWERS_WAIT = Duration.ofSeconds(30);
    private static final Duration COPIES_WAIT = Duration.ofSeconds(15);
    /** After the expected copies arrived: how long the member listens for any copy too many. */
    private static final Duration QUIET = Duration.ofSeconds(1);

    /** What the flood produced, as seen by the flooder (answers) and by the other member (copies). */
    record Outcome(int sent, Set<String> acked, int rateLimited, Map<String, Integer> otherErrors, int unanswered,
            Set<String> receivedByMember, double windowSeconds) {}

    private FloodCheck() {}

    static String criterion() {
        return "backpressure: a flooding client is rate-limited (RATE_LIMITED, nothing beyond the allowance written)";
    }

    static CriterionResult run(ExitCriteriaOptions options, Probes probes) throws IOException, InterruptedException {
        return judge(flood(options.edges().getFirst(), options.floodMessages(), probes), options.rateLimitPerSecond(),
                options.rateLimitBurst());
    }

    /**
     * PASS when some sends were refused RATE_LIMITED, the ACKed ones are at most the burst plus what the rate refills
     * during the flood's window (first send to last answer), every send was answered with ACK or RATE_LIMITED, and
     * the other member received exactly the ACKed messages.
     */
    static CriterionResult judge(Outcome outcome, int ratePerSecond, int burst) {
        long allowance = burst + (long) Math.ceil(ratePerSecond * outcome.windowSeconds());
        Set<String> extra = new TreeSet<>(outcome.receivedByMember());
        extra.removeAll(outcome.acked());
        Set<String> missing = new TreeSet<>(outcome.acked());
        missing.removeAll(outcome.receivedByMember());
        boolean limited = outcome.rateLimited() > 0;
        boolean withinAllowance = !outcome.acked().isEmpty() && outcome.acked().size() <= allowance;
        boolean allAnswered = outcome.unanswered() == 0 && outcome.otherErrors().isEmpty();
        boolean writtenAsAnswered = extra.isEmpty() && missing.isEmpty();
        String figure = String.format(Locale.ROOT, "%d sends at once: %d ACKed (allowance %d = burst %d + %d/s × "
                        + "%.2f s), %d RATE_LIMITED, %d other errors%s, %d unanswered; the other member got %d copies "
                        + "(%d not ACKed, %d ACKed missing)",
                outcome.sent(), outcome.acked().size(), allowance, burst, ratePerSecond, outcome.windowSeconds(),
                outcome.rateLimited(), outcome.otherErrors().values().stream().mapToInt(Integer::intValue).sum(),
                outcome.otherErrors().isEmpty() ? "" : " " + outcome.otherErrors(), outcome.unanswered(),
                outcome.receivedByMember().size(), extra.size(), missing.size());
        return CriterionResult.of(criterion(), limited && withinAllowance && allAnswered && writtenAsAnswered, figure);
    }

    private static Outcome flood(URI edge, int messages, Probes probes) throws IOException, InterruptedException {
        String flooder = probes.id("flooder");
        String member = probes.id("flood-member");
        String roomId = probes.id("flood");
        probes.createRoom(roomId, flooder, java.util.List.of(member));
        ProbeClient reader = probes.connect(edge, member);
        ProbeClient client = probes.connect(edge, flooder);
        long start = System.nanoTime();
        for (int n = 1; n <= messages; n++) {
            client.send(JSON.writeValueAsString(Map.of("type", "SEND_MESSAGE", "roomId", roomId,
                    "clientMsgId", "f" + n, "content", "flood " + n)));
        }
        try {
            client.sent().get(ANSWERS_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("writing the flood failed: " + LoadClient.failureReason(e), e);
        }
        // Every send is answered exactly once, ACK or ERROR, with its clientMsgId.
        long deadline = System.nanoTime() + ANSWERS_WAIT.toNanos();
        while (answers(client) < messages && System.nanoTime() < deadline) {
            client.await(f -> false, client.frames().size(), Duration.ofMillis(200));
        }
        Set<String> acked = new TreeSet<>();
        int rateLimited = 0;
        Map<String, Integer> otherErrors = new TreeMap<>();
        long lastAnswer = start;
        for (ProbeClient.Frame frame : client.frames()) {
            String type = frame.json().path("type").asText();
            if (type.equals("ACK")) {
                acked.add(frame.json().path("clientMsgId").asText());
                lastAnswer = frame.receivedNanos();
            } else if (type.equals("ERROR")) {
                String code = frame.json().path("code").asText();
                if (code.equals(RATE_LIMITED)) {
                    rateLimited++;
                } else {
                    otherErrors.merge(code, 1, Integer::sum);
                }
                lastAnswer = frame.receivedNanos();
            }
        }
        int answered = acked.size() + rateLimited + otherErrors.values().stream().mapToInt(Integer::intValue).sum();
        // The member's copies: wait for those ACKed, then listen a moment longer for any that should not exist.
        deadline = System.nanoTime() + COPIES_WAIT.toNanos();
        while (copies(reader).size() < acked.size() && System.nanoTime() < deadline) {
            reader.await(f -> false, reader.frames().size(), Duration.ofMillis(200));
        }
        reader.await(f -> false, reader.frames().size(), QUIET);
        Set<String> received = copies(reader);
        return new Outcome(messages, acked, rateLimited, otherErrors, messages - answered, received,
                (lastAnswer - start) / 1e9);
    }

    private static long answers(ProbeClient client) {
        return client.frames().stream().map(f -> f.json().path("type").asText())
                .filter(type -> type.equals("ACK") || type.equals("ERROR")).count();
    }

    /** The clientMsgIds of the flood's messages the member received ({@code flood n} → {@code fn}). */
    private static Set<String> copies(ProbeClient reader) {
        Set<String> ids = new TreeSet<>();
        for (ProbeClient.Frame frame : reader.frames()) {
            JsonNode json = frame.json();
            if (json.path("type").asText().equals("MESSAGE") && json.path("content").asText().startsWith("flood ")) {
                ids.add("f" + json.path("content").asText().substring("flood ".length()));
            }
        }
        return ids;
    }
}
