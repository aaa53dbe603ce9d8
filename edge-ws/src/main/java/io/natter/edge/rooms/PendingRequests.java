package io.natter.edge.rooms;

import io.natter.edge.error.CommandRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands of this node awaiting the topology's verdict, by commandId. Each resolves exactly once: by the
 * event that carries its commandId, by its rejection (ALREADY_MEMBER and DUPLICATE count as success), by a
 * failure to publish it, or after the timeout with {@link java.util.concurrent.TimeoutException}; a verdict
 * arriving later is ignored. The timeout runs from {@link #startTimeout}: a command waiting in the outage
 * buffer for Kafka is not timed out (the buffer bounds that wait itself).
 */
public final class PendingRequests {
    /** Rejection code that means "already done", so the request succeeds. */
    public static final String ALREADY_MEMBER = "ALREADY_MEMBER";
    /** Rejection code of a send whose (sender, clientMsgId) was already accepted; it names the original. */
    public static final String DUPLICATE = "DUPLICATE";

    private final ConcurrentHashMap<String, CompletableFuture<Verdict>> pending = new ConcurrentHashMap<>();
    private final Duration timeout;

    public PendingRequests(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Starts waiting for {@code commandId}, with no deadline until {@link #startTimeout}; register BEFORE publishing
     * so a fast verdict is not missed.
     */
    public CompletableFuture<Verdict> register(String commandId) {
        CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        if (pending.putIfAbsent(commandId, verdict) != null) {
            throw new IllegalStateException("command " + commandId + " is already pending");
        }
        verdict.whenComplete((ok, failure) -> pending.remove(commandId, verdict));
        return verdict;
    }

    /** Gives {@code commandId} the request timeout from now (call it when Kafka took the command); no-op if resolved. */
    public void startTimeout(String commandId) {
        CompletableFuture<Verdict> verdict = pending.get(commandId);
        if (verdict != null) {
            verdict.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Resolves {@code commandId} as done; false when nothing here waits for it. */
    public boolean succeed(String commandId) {
        return complete(commandId, new Verdict.Done());
    }

    /** Resolves the send {@code commandId} as sequenced; false when nothing here waits for it. */
    public boolean sequenced(String commandId, String messageId, long seq) {
        return sequenced(commandId, messageId, seq, 0);
    }

    /** Resolves the send {@code commandId} as sequenced at {@code seq} of {@code epoch}; false when nothing waits. */
    public boolean sequenced(String commandId, String messageId, long seq, int epoch) {
        return complete(commandId, new Verdict.Sequenced(messageId, seq, epoch, false));
    }

    /**
     * Resolves {@code commandId} with a rejection: ALREADY_MEMBER succeeds, DUPLICATE (with the original's
     * messageId and seq) is sequenced, anything else fails. False when nothing waits.
     */
    public boolean reject(String commandId, String code, String message, String messageId, Long seq) {
        return reject(commandId, code, message, messageId, seq, 0);
    }

    /** As {@link #reject(String, String, String, String, Long)}, a DUPLICATE naming the original's {@code epoch}. */
    public boolean reject(String commandId, String code, String message, String messageId, Long seq, int epoch) {
        if (ALREADY_MEMBER.equals(code)) {
            return succeed(commandId);
        }
        if (DUPLICATE.equals(code) && messageId != null && seq != null) {
            return complete(commandId, new Verdict.Sequenced(messageId, seq, epoch, true));
        }
        return fail(commandId, new CommandRejectedException(code, message));
    }

    /** Fails {@code commandId} with {@code error}; false when nothing waits. */
    public boolean fail(String commandId, Throwable error) {
        CompletableFuture<Verdict> verdict = commandId == null ? null : pending.get(commandId);
        return verdict != null && verdict.completeExceptionally(error);
    }

    /** Number of commands still waiting. */
    public int size() {
        return pending.size();
    }

    private boolean complete(String commandId, Verdict value) {
        CompletableFuture<Verdict> verdict = commandId == null ? null : pending.get(commandId);
        return verdict != null && verdict.complete(value);
    }
}
