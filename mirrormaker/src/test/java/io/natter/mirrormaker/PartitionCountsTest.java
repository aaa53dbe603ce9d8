package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionCountsTest {

    @Test
    void reportsTopicsPresentInBothRegionsWithDifferentCounts() {
        Map<String, Integer> us = Map.of("chat.fanout.v1", 6, "chat.message.sent.v1", 6, "chat.message.flagged.v1", 3);
        Map<String, Integer> eu = Map.of("chat.fanout.v1", 6, "chat.message.sent.v1", 3);

        assertThat(PartitionCounts.mismatches("us", us, "eu", eu))
                .containsExactly("chat.message.sent.v1: 6 partitions in us, 3 in eu");
    }

    @Test
    void topicsMissingInOneRegionAreNoMismatch() {
        assertThat(PartitionCounts.mismatches("us", Map.of("chat.fanout.v1", 6), "eu", Map.of())).isEmpty();
    }
}
