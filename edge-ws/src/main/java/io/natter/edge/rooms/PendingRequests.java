package io.natter.edge.rooms;

import io.natter.edge.error.CommandRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands of this node awaiting the topology's verdict, by commandId. Each resolves exactly once: by the
 * event that carries its commandId, by its rejection (ALREADY_MEMBER and DUPLICATE count as success), by a
 * failure to publish it, or after the timeout with {@link java.util.concurrent.TimeoutException}; a verdict
 * arriving later is ignored. The timeout runs from {@link #startTimeout}: a command waiting in the outage
 * buffer for Kafka is not timed out (the buffer bounds that wait itself). Deadlines are checked by one sweeper
 * thread every tenth of the timeout (5–100 ms), so a request times out up to that much late.
 */
public final class PendingRequests implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PendingRequests.class);
    /** Rejection code that means "already done", so the request succeeds. */
    public static final String ALREADY_MEMBER = "ALREADY_MEMBER";
    /** Rejection code of a send whose (sender, clientMsgId) was already accepted; it names the original. */
    public static final String DUPLICATE = "DUPLICATE";

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** A command's verdict and its deadline in {@link System#nanoTime()} terms, set once Kafka took the command. */
    private static final class Waiting {
        final CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        volatile long deadline = NO_DEADLINE;
    }

    private final ConcurrentHashMap<String, Waiting> pending = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    // One sweeper for all deadlines: CompletableFuture.orTimeout per send put a task into the JDK's delay scheduler
    // and cancelled it again per verdict, thousands of times a second under load (~4 % of the edge's CPU, plus the
    // scheduler's wake-ups). A scan of the few hundred requests in flight every tick is cheaper.
    private final ScheduledExecutorService sweeper;

    public PendingRequests(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        long tickMillis = Math.clamp(timeout.toMillis() / 10, 5, 100);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("pending-verdict-timeouts").factory());
        sweeper.scheduleWithFixedDelay(this::sweep, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts waiting for {@code commandId}, with no deadline until {@link #startTimeout}; register BEFORE publishing
     * so a fast verdict is not missed.
     */
    public CompletableFuture<Verdict> register(String commandId) {
        Waiting waiting = new Waiting();
        if (pending.putIfAbsent(commandId, waiting) != null) {
            throw new IllegalStateException("command " + commandId + " is already pending");
        }
        return waiting.verdict;
    }

    /** Gives {@code commandId} the request timeout from now (call it when Kafka took the command); no-op if resolved. */
    public void startTimeout(String commandId) {
        Waiting waiting = pending.get(commandId);
        if (waiting != null) {
            waiting.deadline = System.nanoTime() + timeoutNanos;
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
        Waiting waiting = commandId == null ? null : pending.remove(commandId);
        return waiting != null && waiting.verdict.completeExceptionally(error);
    }

    /** Number of commands still waiting. */
    public int size() {
        return pending.size();
    }

    /** Stops the sweeper; requests still waiting then time out no more. */
    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private boolean complete(String commandId, Verdict value) {
        // Removed before completing, so of a verdict, a failure and the deadline exactly one wins.
        Waiting waiting = commandId == null ? null : pending.remove(commandId);
        return waiting != null && waiting.verdict.complete(value);
    }

    private void sweep() {
        long now = System.nanoTime();
        pending.forEach((commandId, waiting) -> {
            try {
                if (waiting.verdict.isDone()) {
                    // Completed by its caller (a cancelled request): nothing will answer it here.
                    pending.remove(commandId, waiting);
                } else if (waiting.deadline != NO_DEADLINE && now - waiting.deadline >= 0
                        && pending.remove(commandId, waiting)) {
                    waiting.verdict.completeExceptionally(new TimeoutException());
                }
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: one bad request must not end every timeout.
                log.warn("timing out command {} failed", commandId, e);
            }
        });
    }
}
