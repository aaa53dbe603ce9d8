package io.natter.topologies;

import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** Read view of the {@value RoomTopology#REGION_STATUS_STORE} global table: which regions operators declared down. */
final class RegionStatuses {
    private final KeyValueStore<String, ValueAndTimestamp<RegionStatus>> store;

    RegionStatuses(KeyValueStore<String, ValueAndTimestamp<RegionStatus>> store) {
        this.store = store;
    }

    /** Whether the last declaration about {@code region} on this cluster is DOWN; never declared = up. */
    boolean isDown(String region) {
        ValueAndTimestamp<RegionStatus> status = store.get(region);
        return status != null && status.value() != null
                && status.value().getPayload().getStatus() == RegionAvailability.DOWN;
    }
}
