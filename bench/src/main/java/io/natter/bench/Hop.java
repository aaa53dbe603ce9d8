package io.natter.bench;

import java.util.List;
import java.util.function.Function;

/** One hop of a message's path that {@code ./bench/hops} reports: the difference of two of {@link HopTrail}'s times. */
enum Hop {
    EDGE_PRODUCE("edge: SEND received → command produced", "t1−t0", HopTrail::receivedAt, HopTrail::produced, true),
    COMMAND_FETCHED("command produced → in Kafka, fetched by this tool", "t2−t1", HopTrail::produced,
            HopTrail::commandFetched, true),
    JUDGED("command fetched by this tool → topology judged", "t3−t2", HopTrail::commandFetched, HopTrail::judgedAt,
            true),
    PRODUCE_TO_JUDGED("(command produced → topology judged)", "t3−t1", HopTrail::produced, HopTrail::judgedAt, false),
    OUTPUT_FETCHED("judged → fan-out in Kafka, fetched read_uncommitted", "t4−t3", HopTrail::judgedAt,
            HopTrail::fanoutFetched, true),
    COMMITTED("fan-out uncommitted → visible read_committed", "t5−t4", HopTrail::fanoutFetched,
            HopTrail::fanoutCommitted, true),
    TOTAL("total: SEND received → fan-out visible read_committed", "t5−t0", HopTrail::receivedAt,
            HopTrail::fanoutCommitted, false);

    /** The hops that add up to {@link #TOTAL}, message by message. */
    static final List<Hop> PARTS = java.util.Arrays.stream(values()).filter(hop -> hop.part).toList();

    final String label;
    final String formula;
    private final Function<HopTrail, Long> from;
    private final Function<HopTrail, Long> to;
    private final boolean part;

    Hop(String label, String formula, Function<HopTrail, Long> from, Function<HopTrail, Long> to, boolean part) {
        this.label = label;
        this.formula = formula;
        this.from = from;
        this.to = to;
        this.part = part;
    }

    /** The hop of a {@link HopTrail#complete() complete} trail, in milliseconds; may be negative (see t3−t2). */
    long of(HopTrail trail) {
        return to.apply(trail) - from.apply(trail);
    }
}
