package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CriterionResultTest {

    @Test
    void linesUpTheVerdictThenNamesTheCriterionAndItsFigure() {
        assertThat(CriterionResult.pass("delivery", "p95 20 ms").line()).isEqualTo("PASS     delivery: p95 20 ms");
        assertThat(CriterionResult.skipped("cross-region", "no peer").line())
                .isEqualTo("SKIPPED  cross-region: no peer");
        assertThat(CriterionResult.of("x", false, "y")).isEqualTo(CriterionResult.fail("x", "y"));
    }

    @Test
    void exitsZeroUnlessACheckThatRanFailed() {
        CriterionResult pass = CriterionResult.pass("a", "");
        CriterionResult skipped = CriterionResult.skipped("b", "");
        CriterionResult fail = CriterionResult.fail("c", "");
        assertThat(CriterionResult.exitCode(List.of(pass, skipped))).isZero();
        assertThat(CriterionResult.exitCode(List.of(pass, skipped, fail))).isEqualTo(1);
        assertThat(CriterionResult.summary(List.of(pass, skipped, fail, pass)))
                .isEqualTo("2 passed, 1 failed, 1 skipped");
    }
}
