package io.natter.edge.regions;

import io.natter.mirrormaker.client.ReplicationWatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tells when a sequenced message is on BOTH regions' clusters, for the {@code replicated} ack level. The fan-out
 * consumer reports every {@code chat.message.sent.v1} record it reads: a local one (room homed here) is replicated
 * once the {@link ReplicationWatcher} on the peer cluster has its partition/offset; a mirrored one
 * ({@code <peer>.chat.message.sent.v1}, room homed on the peer) is on both clusters when it is read here.
 * The sent record and the verdict travel different topics, so either may come first: positions of recent records
 * are kept (bounded) for a verdict that comes later.
 */
public final class ReplicationGate implements AutoCloseable {
    // Enough for every message sequenced within a request timeout at tens of thousands of messages per second.
    private static final int RECENT_MAX = 200_000;

    private sealed interface Seen {}

    private record Local(int partition, long offset) implements Seen {}

    private record Mirrored() implements Seen {}

    /** Where replication stands on the peer: a {@link ReplicationWatcher} in production. */
    public interface PeerWatcher extends AutoCloseable {
        /** Completes once source offset {@code offset} of {@code partition} is on the peer cluster. */
        CompletableFuture<Void> whenReplicated(int partition, long offset);

        @Override
        void close();
    }

    private final PeerWatcher watcher;
    private final Map<String, Seen> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > RECENT_MAX;
        }
    };
    private final Map<String, CompletableFuture<Void>> waiting = new HashMap<>();
    private final Map<Integer, Long> highestLocal = new HashMap<>();

    public ReplicationGate(PeerWatcher watcher) {
        this.watcher = watcher;
    }

    /** Starts a gate whose watcher follows this region's sent topic as mirrored on the peer cluster. */
    public static ReplicationGate start(String peerBootstrap, String localRegion, String sentTopic) {
        ReplicationWatcher watcher = ReplicationWatcher.start(peerBootstrap, localRegion, sentTopic);
        return new ReplicationGate(new PeerWatcher() {
            @Override
            public CompletableFuture<Void> whenReplicated(int partition, long offset) {
                return watcher.whenReplicated(partition, offset);
            }

            @Override
            public void close() {
                watcher.close();
            }
        });
    }

    /** The consumer read {@code messageId} at {@code partition}/{@code offset} of this region's sent topic. */
    public void localSent(String messageId, int partition, long offset) {
        seen(messageId, new Local(partition, offset));
        synchronized (this) {
            highestLocal.merge(partition, offset, Math::max);
        }
    }

    /** The consumer read {@code messageId} on a mirrored sent topic: it is on both clusters. */
    public void mirroredSent(String messageId) {
        seen(messageId, new Mirrored());
    }

    /**
     * Completes once {@code messageId} is on both clusters. Never times out by itself: callers add the deadline.
     * With {@code duplicate} (a retry answered with an earlier message) and no record of it read since start, it
     * waits until everything this edge read from the local sent topic so far is replicated (the original is older).
     */
    public CompletableFuture<Void> replicated(String messageId, boolean duplicate) {
        Seen seen;
        CompletableFuture<Void> future;
        Map<Integer, Long> snapshot = null;
        synchronized (this) {
            seen = recent.get(messageId);
            if (seen == null && duplicate) {
                snapshot = Map.copyOf(highestLocal);
            }
            if (seen != null || snapshot != null) {
                future = null;
            } else {
                future = waiting.computeIfAbsent(messageId, id -> new CompletableFuture<>());
            }
        }
        if (seen != null) {
            return whenOnPeer(seen);
        }
        if (snapshot != null) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            snapshot.forEach((partition, offset) -> all.add(watcher.whenReplicated(partition, offset)));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }
        future.whenComplete((ok, error) -> forget(messageId, future));
        return future;
    }

    private void seen(String messageId, Seen seen) {
        CompletableFuture<Void> waiter;
        synchronized (this) {
            recent.put(messageId, seen);
            waiter = waiting.remove(messageId);
        }
        if (waiter != null) {
            whenOnPeer(seen).whenComplete((ok, error) -> {
                if (error != null) {
                    waiter.completeExceptionally(error);
                } else {
                    waiter.complete(null);
                }
            });
        }
    }

    private CompletableFuture<Void> whenOnPeer(Seen seen) {
        return switch (seen) {
            case Local local -> watcher.whenReplicated(local.partition(), local.offset());
            case Mirrored mirrored -> CompletableFuture.completedFuture(null);
        };
    }

    private synchronized void forget(String messageId, CompletableFuture<Void> future) {
        waiting.remove(messageId, future);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
