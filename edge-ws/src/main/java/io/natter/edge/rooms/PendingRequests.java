package io.natter.edge.rooms;

import io.natter.edge.error.CommandRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands of this node awaiting the topology's verdict, by commandId. A membership event with the
 * commandId resolves one; a rejection fails it (except ALREADY_MEMBER, an idempotent no-op); after the
 * timeout it fails with {@link java.util.concurrent.TimeoutException}.
 */
public final class PendingRequests {
    /** Rejection code that means "already done", so the request succeeds. */
    public static final String ALREADY_MEMBER = "ALREADY_MEMBER";

    private final ConcurrentHashMap<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final Duration timeout;

    public PendingRequests(Duration timeout) {
        this.timeout = timeout;
    }

    /** Starts waiting for {@code commandId}; register BEFORE publishing so a fast verdict is not missed. */
    public CompletableFuture<Void> register(String commandId) {
        CompletableFuture<Void> verdict = new CompletableFuture<>();
        if (pending.putIfAbsent(commandId, verdict) != null) {
            throw new IllegalStateException("command " + commandId + " is already pending");
        }
        verdict.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, failure) -> pending.remove(commandId, verdict));
        return verdict;
    }

    /** Resolves {@code commandId} as done; false when nothing here waits for it. */
    public boolean succeed(String commandId) {
        CompletableFuture<Void> verdict = commandId == null ? null : pending.get(commandId);
        return verdict != null && verdict.complete(null);
    }

    /** Resolves {@code commandId} with a rejection (ALREADY_MEMBER succeeds); false when nothing waits. */
    public boolean reject(String commandId, String code, String message) {
        if (ALREADY_MEMBER.equals(code)) {
            return succeed(commandId);
        }
        return fail(commandId, new CommandRejectedException(code, message));
    }

    /** Fails {@code commandId} with {@code error}; false when nothing waits. */
    public boolean fail(String commandId, Throwable error) {
        CompletableFuture<Void> verdict = commandId == null ? null : pending.get(commandId);
        return verdict != null && verdict.completeExceptionally(error);
    }

    /** Number of commands still waiting. */
    public int size() {
        return pending.size();
    }
}
