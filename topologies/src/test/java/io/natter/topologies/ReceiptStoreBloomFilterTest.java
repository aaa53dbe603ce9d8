package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class ReceiptStoreBloomFilterTest {
    static {
        RocksDB.loadLibrary();
    }

    private final ReceiptStoreBloomFilter setter = new ReceiptStoreBloomFilter();

    @Test
    void givesOnlyTheReceiptStoreAMemtableBloomFilter() {
        try (Options receipts = new Options(); Options history = new Options()) {
            setter.setConfig(RoomTopology.SEND_RECEIPTS_STORE, receipts, Map.of());
            setter.setConfig(RoomTopology.HISTORY_STORE, history, Map.of());

            assertThat(receipts.memtableWholeKeyFiltering()).isTrue();
            assertThat(receipts.memtablePrefixBloomSizeRatio()).isEqualTo(ReceiptStoreBloomFilter.BLOOM_SIZE_RATIO);
            assertThat(history.memtableWholeKeyFiltering()).isFalse();
            assertThat(history.memtablePrefixBloomSizeRatio()).isZero();
        }
    }
}
