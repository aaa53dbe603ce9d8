package io.natter.edge.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands waiting for Kafka, oldest first, at most {@code capacity} of them and none older than {@code maxWait}.
 * When full, the OLDEST is dropped for the newcomer: the newest writes are the ones their senders still wait for,
 * and the oldest have waited longest. Not thread-safe: {@link CommandPublisher} guards it with its lock.
 */
final class OutageBuffer<T> {
    private record Entry<T>(T item, long enqueuedNanos) {}

    private final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
    private final int capacity;
    private final long maxWaitNanos;

    /** {@code capacity} 0 buffers nothing: every item added is dropped at once. */
    OutageBuffer(int capacity, Duration maxWait) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Appends {@code item} at {@code nowNanos}; returns what was dropped to make room, oldest first. */
    List<T> add(T item, long nowNanos) {
        if (capacity == 0) {
            return List.of(item);
        }
        List<T> dropped = new ArrayList<>(1);
        while (entries.size() >= capacity) {
            dropped.add(entries.removeFirst().item());
        }
        entries.addLast(new Entry<>(item, nowNanos));
        return dropped;
    }

    /** Removes and returns every item that has waited longer than the maximum wait at {@code nowNanos}, oldest first. */
    List<T> expire(long nowNanos) {
        List<T> expired = new ArrayList<>(0);
        // Entries are in arrival order, so the expired ones are a prefix.
        while (!entries.isEmpty() && nowNanos - entries.peekFirst().enqueuedNanos() > maxWaitNanos) {
            expired.add(entries.removeFirst().item());
        }
        return expired;
    }

    /** The oldest item, left in place (removed with {@link #removeOldest()} once handed on); null when empty. */
    T oldest() {
        Entry<T> first = entries.peekFirst();
        return first == null ? null : first.item();
    }

    /** Removes the oldest item. */
    void removeOldest() {
        entries.removeFirst();
    }

    /** Removes and returns every item, oldest first. */
    List<T> takeAll() {
        List<T> all = new ArrayList<>(entries.size());
        entries.forEach(entry -> all.add(entry.item()));
        entries.clear();
        return all;
    }

    /** Number of items waiting. */
    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
