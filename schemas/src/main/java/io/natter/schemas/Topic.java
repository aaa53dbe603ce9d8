package io.natter.schemas;

import org.apache.kafka.common.serialization.Serde;

/** A Kafka topic with the serdes of its key and value: the only way modules name a topic. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    /** The same topic as mirrored from {@code sourceRegion} by MirrorMaker 2's default policy. */
    public Topic<K, V> mirroredFrom(String sourceRegion) {
        return new Topic<>(sourceRegion + "." + name, keySerde, valueSerde);
    }
}
