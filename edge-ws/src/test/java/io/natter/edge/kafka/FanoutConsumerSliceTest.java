package io.natter.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How the fan-out threads of an edge share the partitions. */
class FanoutConsumerSliceTest {

    @Test
    void theSlicesOfOneCountHoldEveryPartitionExactlyOnce() {
        for (int count = 1; count <= 8; count++) {
            for (int partitions : new int[] {1, 3, 6, 12}) {
                List<Integer> held = new ArrayList<>();
                for (int index = 0; index < count; index++) {
                    FanoutConsumer.Slice slice = new FanoutConsumer.Slice(index, count);
                    IntStream.range(0, partitions).filter(slice::holds).forEach(held::add);
                }
                assertThat(held).as("%d slices of %d partitions", count, partitions)
                        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, partitions).boxed().toList());
            }
        }
    }

    @Test
    void aSliceBeyondThePartitionCountHoldsNone() {
        FanoutConsumer.Slice fourth = new FanoutConsumer.Slice(3, 4);
        assertThat(IntStream.range(0, 3).filter(fourth::holds)).isEmpty();
    }

    @Test
    void namesAThreadAndClientBySliceOnlyWhenThereAreSeveral() {
        assertThat(FanoutConsumer.Slice.ALL.name("edge-1-fanout")).isEqualTo("edge-1-fanout");
        assertThat(new FanoutConsumer.Slice(1, 2).name("edge-1-fanout")).isEqualTo("edge-1-fanout-1");
    }

    @Test
    void refusesASliceOutsideItsCount() {
        assertThatThrownBy(() -> new FanoutConsumer.Slice(2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FanoutConsumer.Slice(-1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FanoutConsumer.Slice(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
