package io.natter.bench;

import java.util.List;
import java.util.Locale;

/** The verdict on one exit criterion of the seed, with the figure that decided it. */
record CriterionResult(String criterion, Verdict verdict, String figure) {

    /** PASS and FAIL were measured; SKIPPED was not run (the figure says why). */
    enum Verdict { PASS, FAIL, SKIPPED }

    static CriterionResult pass(String criterion, String figure) {
        return new CriterionResult(criterion, Verdict.PASS, figure);
    }

    static CriterionResult fail(String criterion, String figure) {
        return new CriterionResult(criterion, Verdict.FAIL, figure);
    }

    static CriterionResult skipped(String criterion, String reason) {
        return new CriterionResult(criterion, Verdict.SKIPPED, reason);
    }

    /** PASS when {@code passed}, else FAIL, with the same figure. */
    static CriterionResult of(String criterion, boolean passed, String figure) {
        return new CriterionResult(criterion, passed ? Verdict.PASS : Verdict.FAIL, figure);
    }

    /** {@code VERDICT  criterion: figure}, the verdict padded so the criteria line up. */
    String line() {
        return String.format(Locale.ROOT, "%-7s  %s: %s", verdict, criterion, figure);
    }

    /** 0 when nothing that ran failed (skipped criteria do not fail the run), else 1. */
    static int exitCode(List<CriterionResult> results) {
        return results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL) ? 1 : 0;
    }

    /** One line: how many passed, failed and were skipped. */
    static String summary(List<CriterionResult> results) {
        return String.format(Locale.ROOT, "%d passed, %d failed, %d skipped",
                count(results, Verdict.PASS), count(results, Verdict.FAIL), count(results, Verdict.SKIPPED));
    }

    private static long count(List<CriterionResult> results, Verdict verdict) {
        return results.stream().filter(r -> r.verdict() == verdict).count();
    }
}
