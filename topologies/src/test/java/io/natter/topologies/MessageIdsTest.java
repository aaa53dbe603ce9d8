package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Message ids name their seq in a version-8 UUID; ids of other shapes name none. */
class MessageIdsTest {
    @Test
    void anIdNamesTheSeqItWasMadeFor() {
        for (long seq : new long[] {0, 1, 42, 1_000_000_007L, MessageIds.MAX_SEQ}) {
            String id = MessageIds.forSeq(seq);
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(uuid.version()).isEqualTo(8);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(MessageIds.seqOf(id)).isEqualTo(seq);
        }
    }

    @Test
    void idsOfOneSeqDifferInTheirRandomBits() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(MessageIds.forSeq(7));
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void aSeqTooLargeToNameGetsARandomIdThatNamesNone() {
        String id = MessageIds.forSeq(MessageIds.MAX_SEQ + 1);
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(MessageIds.seqOf(id)).isEqualTo(-1);
    }

    @Test
    void otherIdsNameNoSeq() {
        assertThat(MessageIds.seqOf(UUID.randomUUID().toString())).isEqualTo(-1);
        assertThat(MessageIds.seqOf("id-1")).isEqualTo(-1);
        assertThat(MessageIds.seqOf(null)).isEqualTo(-1);
        assertThat(MessageIds.seqOf("x".repeat(36))).isEqualTo(-1);
        // A short-group form UUID.fromString would accept is not an id forSeq writes.
        assertThat(MessageIds.seqOf("0-0-8000-8000-000000000000")).isEqualTo(-1);
        String id = MessageIds.forSeq(5);
        assertThat(MessageIds.seqOf(id.toUpperCase())).as("parsed alike; the lookup then compares the exact id")
                .isEqualTo(5);
    }
}
