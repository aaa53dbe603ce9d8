package io.natter.bench;

import io.natter.bench.ExitCriteriaOptions.Check;
import io.natter.schemas.AvroTrust;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./bench/exit-criteria}: the seed's four exit criteria measured against a running stack, each printed as
 * PASS, FAIL or SKIPPED with its figure; exit code 0 only when nothing that ran failed. Progress goes to stderr.
 */
public final class ExitCriteria {
    /** Tokens outlive the longest check (presence TTL + slack) with room to spare. */
    private static final Duration TOKEN_TTL = Duration.ofMinutes(120);

    private ExitCriteria() {}

    public static void main(String[] args) {
        AvroTrust.install();
        if (List.of(args).contains("--help")) {
            System.out.print(ExitCriteriaOptions.usage());
            return;
        }
        int status;
        try {
            ExitCriteriaOptions options = ExitCriteriaOptions.parse(List.of(args), System.getenv());
            List<CriterionResult> results = run(options, System.getenv(), Path.of("").toAbsolutePath(), System.out,
                    System.err);
            status = CriterionResult.exitCode(results);
        } catch (UsageException e) {
            System.err.println("bench/exit-criteria: " + e.getMessage()
                    + " (./bench/exit-criteria --help lists the options)");
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("bench/exit-criteria: failed: " + e);
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1;
        }
        // The HTTP clients leave non-daemon threads behind.
        System.exit(status);
    }

    /** Runs the selected checks in order, printing each verdict to {@code out} as it is known. */
    static List<CriterionResult> run(ExitCriteriaOptions options, Map<String, String> env, Path workDir,
            PrintStream out, PrintStream log) throws InterruptedException {
        String runId = "X" + Long.toString(System.currentTimeMillis(), 36);
        TokenSource tokens = TokenSource.of(LoadOptions.parse(options.loadArgs(), env).tokens(), TOKEN_TTL, workDir);
        out.println("Natter exit criteria against " + options.edges()
                + options.peerEdge().map(peer -> " and peer " + peer).orElse("") + " (run " + runId + ")");
        List<CriterionResult> results = new ArrayList<>();
        try (Probes probes = new Probes(tokens, LoadOptions.restBase(options.edges().getFirst()), runId)) {
            if (options.checks().contains(Check.DELIVERY)) {
                log.println("exit-criteria: delivery, " + String.join(" ", options.loadArgs()));
                report(results, out, DeliveryCheck.criterion(options.latencyBoundMs()),
                        () -> DeliveryCheck.run(options, env, workDir, log, runId + "d"));
            }
            if (options.checks().contains(Check.CROSS_REGION)) {
                report(results, out, CrossRegionCheck.criterion(options.crossRegionBoundMs()),
                        () -> options.peerEdge().isEmpty() ? CrossRegionCheck.skipped(options.crossRegionBoundMs())
                                : CrossRegionCheck.run(options, options.peerEdge().get(), probes));
            }
            if (options.checks().contains(Check.FLOOD)) {
                report(results, out, FloodCheck.criterion(), () -> FloodCheck.run(options, probes));
            }
            if (options.checks().contains(Check.STALL)) {
                log.println("exit-criteria: stalled reader, " + String.join(" ", StallCheck.loadArgs(options)));
                report(results, out, StallCheck.criterion(options.latencyBoundMs()),
                        () -> StallCheck.run(options, env, workDir, log, runId + "s"));
            }
            if (options.checks().contains(Check.PRESENCE)) {
                report(results, out, PresenceCheck.disconnectCriterion(),
                        () -> PresenceCheck.runDisconnect(options, probes));
                report(results, out, PresenceCheck.ttlCriterion(), () -> options.edgePid().isEmpty()
                        ? PresenceCheck.ttlSkipped() : PresenceCheck.runTtl(options, probes));
            }
        }
        out.println(CriterionResult.summary(results));
        return results;
    }

    /** One check's body: measures and judges, or throws when it could not measure. */
    @FunctionalInterface
    private interface CheckBody {
        CriterionResult run() throws IOException, InterruptedException;
    }

    /** Runs a check; a check that cannot run (stack unreachable, say) is a FAIL naming why, and the next one runs. */
    private static void report(List<CriterionResult> results, PrintStream out, String criterion, CheckBody body)
            throws InterruptedException {
        CriterionResult result;
        try {
            result = body.run();
        } catch (IOException | RuntimeException e) {
            result = CriterionResult.fail(criterion, "could not run: " + e);
        }
        results.add(result);
        out.println(result.line());
    }
}
