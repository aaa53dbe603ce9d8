package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./bench/exit-criteria's checks end to end against an in-process stack with two edges, briefly (the second edge
 * stands in for the peer region). Generous bounds: this proves the checks measure and judge, not the machine's speed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExitCriteriaSmokeIT {

    @Test
    void deliveryCrossRegionFloodAndPresenceChecksPassAndTheTtlCheckIsSkipped(@TempDir Path workDir)
            throws Exception {
        LoadOptions stack = LoadOptions.parse(List.of("--in-process", "--in-process-edges", "2", "--edge-env",
                "NATTER_REQUEST_TIMEOUT_MS=60000"), Map.of());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<CriterionResult> results;
        try (Target target = InProcessTarget.start(stack)) {
            String edges = target.edges().stream().map(Object::toString).collect(Collectors.joining(","));
            ExitCriteriaOptions options = ExitCriteriaOptions.parse(List.of("--edges", edges, "--peer-edge",
                    target.edges().get(1).toString(), "--only", "delivery,cross-region,flood,presence",
                    "--clients", "6", "--rooms", "2", "--rate", "2", "--warmup-s", "1", "--duration-s", "3",
                    "--cross-region-duration-s", "3", "--cross-region-receivers", "2", "--latency-bound-ms", "5000",
                    "--cross-region-bound-ms", "10000"), Map.of());
            results = ExitCriteria.run(options, Map.of(), workDir, new PrintStream(printed, true,
                    StandardCharsets.UTF_8), new PrintStream(OutputStream.nullOutputStream()));
        }

        assertThat(results).extracting(CriterionResult::criterion, CriterionResult::verdict).containsExactly(
                org.assertj.core.groups.Tuple.tuple(DeliveryCheck.criterion(5000), CriterionResult.Verdict.PASS),
                org.assertj.core.groups.Tuple.tuple(CrossRegionCheck.criterion(10000), CriterionResult.Verdict.PASS),
                org.assertj.core.groups.Tuple.tuple(FloodCheck.criterion(), CriterionResult.Verdict.PASS),
                org.assertj.core.groups.Tuple.tuple(PresenceCheck.disconnectCriterion(),
                        CriterionResult.Verdict.PASS),
                org.assertj.core.groups.Tuple.tuple(PresenceCheck.ttlCriterion(), CriterionResult.Verdict.SKIPPED));
        assertThat(results.get(0).figure()).contains(" 0 lost, 0 duplicate, 0 refused, 0 timed out and never delivered, 0 unanswered");
        assertThat(results.get(1).figure()).contains("6 of 6 copies arrived (3 messages to 2 receivers");
        assertThat(results.get(2).figure()).startsWith("100 sends at once: ").contains("RATE_LIMITED, 0 other errors");
        assertThat(CriterionResult.exitCode(results)).isZero();
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.getFirst()).startsWith("Natter exit criteria against ");
        assertThat(lines.subList(1, 6)).isEqualTo(results.stream().map(CriterionResult::line).toList());
        assertThat(lines.getLast()).isEqualTo("4 passed, 0 failed, 1 skipped");
    }
}
