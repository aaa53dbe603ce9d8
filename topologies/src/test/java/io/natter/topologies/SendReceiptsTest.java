package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.SendReceipt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SendReceiptsTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final Duration PASS = Duration.ofMinutes(1);
    private static final Retention RETENTION = new Retention(Duration.ofHours(1), 1000, Duration.ofHours(24));

    private KeyValueStore<String, SendReceipt> store;
    private SendReceipts receipts;

    @BeforeEach
    void openStore() {
        store = AvroStores.inMemory(RoomTopology.SEND_RECEIPTS_STORE, SendReceipt.class);
        receipts = new SendReceipts(store, RETENTION);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void purgesInSlicesThatGoOnWhereTheLastStoppedAndStartOverAfterTheEnd() {
        // Ten receipts, the even ones an hour older: only those have expired when the purge runs.
        for (int i = 0; i < 10; i++) {
            receipts.remember(message(i, i % 2 == 0 ? T0 : T0.plus(Duration.ofHours(1))));
        }
        Instant now = T0.plus(RETENTION.dedupeWindow()).plusSeconds(1);

        assertThat(receipts.purgeSome(now, 4, PASS)).isEqualTo(4);
        assertThat(clientMsgIds()).as("the expired ones of the first four keys are gone")
                .containsExactly("c1", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        assertThat(receipts.purgeSome(now, 4, PASS)).as("goes on after c3").isEqualTo(4);
        assertThat(clientMsgIds()).containsExactly("c1", "c3", "c5", "c7", "c8", "c9");
        assertThat(receipts.purgeSome(now, 4, PASS)).as("the last two, then the end").isEqualTo(2);
        assertThat(clientMsgIds()).containsExactly("c1", "c3", "c5", "c7", "c9");

        // A new pass waits until PASS after the last one started.
        assertThat(receipts.purgeSome(now.plus(PASS).minusMillis(1), 100, PASS)).isZero();
        assertThat(clientMsgIds()).hasSize(5);
        // Then it starts over: receipts expired since are found on the next pass.
        Instant later = now.plus(Duration.ofHours(1));
        assertThat(receipts.purgeSome(later, 100, PASS)).isEqualTo(5);
        assertThat(clientMsgIds()).isEmpty();
        assertThat(receipts.purgeSome(later.plus(PASS), 100, PASS)).as("an empty store").isZero();
    }

    @Test
    void aLookupJudgesTheWindowWhetherOrNotThePurgeReachedTheReceipt() {
        receipts.remember(message(1, T0));
        assertThat(receipts.find("r1", "alice", "c1", T0.plus(RETENTION.dedupeWindow()).minusMillis(1))).isNotNull();
        assertThat(receipts.find("r1", "alice", "c1", T0.plus(RETENTION.dedupeWindow()))).isNull();
    }

    private static ChatMessage message(int i, Instant sentAt) {
        return new ChatMessage("m" + i, "r1", "alice", "hello", sentAt, (long) i + 1, "c" + i, List.of(), 0);
    }

    private List<String> clientMsgIds() {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, SendReceipt> it = store.all()) {
            it.forEachRemaining(entry -> ids.add(entry.key.substring(entry.key.lastIndexOf('\u0000') + 1)));
        }
        return ids;
    }
}
