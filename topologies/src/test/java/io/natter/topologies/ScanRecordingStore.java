package io.natter.topologies;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store that records the first key of every range scan (forward or reverse) opened on it and counts its
 * point lookups, for tests that check how the history is read; everything goes to the wrapped store unchanged.
 */
public final class ScanRecordingStore<K, V> implements KeyValueStore<K, V> {
    private final KeyValueStore<K, V> inner;
    private final List<K> scanStarts = new ArrayList<>();
    private int gets;

    public ScanRecordingStore(KeyValueStore<K, V> inner) {
        this.inner = inner;
    }

    /** The first key of each scan opened so far, in order. */
    public List<K> scanStarts() {
        return scanStarts;
    }

    /** Point lookups so far: {@link #get} calls, and {@link #delete}s (a store's delete reads the old value). */
    public int gets() {
        return gets;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        scanStarts.add(from);
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        scanStarts.add(from);
        return inner.reverseRange(from, to);
    }

    @Override
    public void put(K key, V value) {
        inner.put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return inner.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        inner.putAll(entries);
    }

    @Override
    public V delete(K key) {
        gets++;
        return inner.delete(key);
    }

    @Override
    public V get(K key) {
        gets++;
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return inner.all();
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }
}
