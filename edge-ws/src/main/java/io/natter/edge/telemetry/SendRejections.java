package io.natter.edge.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorMapper;
import java.util.concurrent.CompletableFuture;

/**
 * {@code chat_messages_rejected_total{reason}}: SEND_MESSAGE frames answered with ERROR, by the error's stable code
 * (a bounded set: rate limit, the topology's refusals, DROPPED, UNAVAILABLE, TIMEOUT).
 */
public final class SendRejections {
    /** Micrometer name; Prometheus {@code chat_messages_rejected_total}. */
    public static final String REJECTED_COUNTER = "chat.messages.rejected";

    private final MeterRegistry metrics;

    public SendRejections(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** Counts one rejected send. */
    public void rejected(String code) {
        Counter.builder(REJECTED_COUNTER)
                .description("SEND_MESSAGE frames answered with ERROR, by code")
                .tag("reason", code)
                .register(metrics)
                .increment();
    }

    /** Counts {@code outcome} if it fails; returns it. */
    public <T> CompletableFuture<T> watch(CompletableFuture<T> outcome) {
        outcome.whenComplete((ok, failure) -> {
            if (failure != null) {
                EdgeException error = ErrorMapper.unwrap(failure);
                rejected(error.code());
            }
        });
        return outcome;
    }
}
