package io.natter.edge.regions;

import io.natter.edge.error.UnavailableException;
import io.natter.edge.rooms.Verdict;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * When a sequenced send may be ACKed: {@code local} at once; {@code replicated} once the message is also on the
 * peer region's cluster, else {@code ERROR NOT_REPLICATED} after the request timeout (the message IS sequenced;
 * the client keeps it and resends with the same clientMsgId if an EPOCH frame later says it was lost).
 */
public sealed interface AckPolicy {
    /** The verdict, once it may be ACKed; fails with {@code NOT_REPLICATED} when it may not in time. */
    CompletableFuture<Verdict.Sequenced> confirm(Verdict.Sequenced sequenced);

    /** ACK on the home region's verdict. */
    record Local() implements AckPolicy {
        @Override
        public CompletableFuture<Verdict.Sequenced> confirm(Verdict.Sequenced sequenced) {
            return CompletableFuture.completedFuture(sequenced);
        }
    }

    /** ACK once the gate says the message is on both clusters, within {@code timeout} of the verdict. */
    record Replicated(ReplicationGate gate, Duration timeout) implements AckPolicy {
        @Override
        public CompletableFuture<Verdict.Sequenced> confirm(Verdict.Sequenced sequenced) {
            return gate.replicated(sequenced.messageId(), sequenced.duplicate())
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((ok, failure) -> {
                        if (failure == null) {
                            return sequenced;
                        }
                        String why = failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException
                                ? "not on the peer region's cluster within " + timeout.toMillis() + " ms"
                                : "replication could not be confirmed: " + failure.getMessage();
                        throw UnavailableException.notReplicated("sequenced as " + sequenced.messageId() + " at seq "
                                + sequenced.seq() + " (epoch " + sequenced.epoch() + ") but " + why
                                + "; it may still arrive there", failure);
                    });
        }
    }
}
