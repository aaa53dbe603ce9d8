package io.natter.topologies;

import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Opened in-memory stores of String keys and Avro values for unit tests, serializing as RocksDB does. */
final class AvroStores {
    private AvroStores() {
    }

    /** A new, opened store named {@code name} (no changelog): what it returns is decoded anew, never the object put. */
    static <V extends SpecificRecord> KeyValueStore<String, V> inMemory(String name, Class<V> type) {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), topics.serde(type)).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }
}
