package io.natter.bench;

import java.util.stream.Stream;

/**
 * What {@code ./bench/hops} saw of one message, joined by its command id: wall-clock times in epoch millis, each null
 * until seen. {@code receivedAt} t0: the edge received the SEND (header {@code natter-received-at});
 * {@code produced} t1: the command record's timestamp (CreateTime: the edge's producer, at {@code send()});
 * {@code commandFetched} t2: this tool's read_uncommitted poll returned the command; {@code judgedAt} t3: the topology
 * built its outputs (header {@code natter-judged-at}); {@code fanoutFetched} t4 and {@code fanoutCommitted} t5: this
 * tool's read_uncommitted and read_committed polls returned the fan-out record.
 */
record HopTrail(String commandId, Long receivedAt, Long produced, Long commandFetched, Long judgedAt,
        Long fanoutFetched, Long fanoutCommitted) {

    /** What the command record tells. */
    static HopTrail command(String commandId, Long receivedAt, long produced, long fetched) {
        return new HopTrail(commandId, receivedAt, produced, fetched, null, null, null);
    }

    /** What the fan-out record read uncommitted tells (it carries the command's headers too). */
    static HopTrail fanout(String commandId, Long receivedAt, Long judgedAt, long fetched) {
        return new HopTrail(commandId, receivedAt, null, null, judgedAt, fetched, null);
    }

    /** What the fan-out record read committed tells. */
    static HopTrail committed(String commandId, long fetched) {
        return new HopTrail(commandId, null, null, null, null, null, fetched);
    }

    /** Both trails of one command: each time from this one if known, else from {@code other}. */
    HopTrail merge(HopTrail other) {
        return new HopTrail(commandId, first(receivedAt, other.receivedAt), first(produced, other.produced),
                first(commandFetched, other.commandFetched), first(judgedAt, other.judgedAt),
                first(fanoutFetched, other.fanoutFetched), first(fanoutCommitted, other.fanoutCommitted));
    }

    /** Every time known. */
    boolean complete() {
        return Stream.of(receivedAt, produced, commandFetched, judgedAt, fanoutFetched, fanoutCommitted)
                .allMatch(time -> time != null);
    }

    /** When this tool first saw any record of the message (the window it counts in); null if never. */
    Long firstSeen() {
        return Stream.of(commandFetched, fanoutFetched, fanoutCommitted).filter(time -> time != null)
                .min(Long::compare).orElse(null);
    }

    private static Long first(Long mine, Long theirs) {
        return mine != null ? mine : theirs;
    }
}
