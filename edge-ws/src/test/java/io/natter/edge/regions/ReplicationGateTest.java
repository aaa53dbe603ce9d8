package io.natter.edge.regions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplicationGateTest {
    /** A peer whose replication position the test moves by hand. */
    private static final class FakePeer implements ReplicationGate.PeerWatcher {
        final Map<String, CompletableFuture<Void>> asked = new HashMap<>();
        final List<String> order = new ArrayList<>();

        @Override
        public CompletableFuture<Void> whenReplicated(int partition, long offset) {
            order.add(partition + "@" + offset);
            return asked.computeIfAbsent(partition + "@" + offset, key -> new CompletableFuture<>());
        }

        void replicate(int partition, long offset) {
            asked.get(partition + "@" + offset).complete(null);
        }

        @Override
        public void close() {}
    }

    private final FakePeer peer = new FakePeer();
    private final ReplicationGate gate = new ReplicationGate(peer);

    @Test
    void aLocalMessageIsReplicatedWhenThePeerHasItsOffsetWhicheverOfVerdictAndRecordCameFirst() {
        CompletableFuture<Void> verdictFirst = gate.replicated("m1", false);
        assertThat(verdictFirst).isNotDone();
        gate.localSent("m1", 2, 40);
        assertThat(verdictFirst).isNotDone();
        peer.replicate(2, 40);
        assertThat(verdictFirst).isCompleted();

        gate.localSent("m2", 1, 7);
        CompletableFuture<Void> recordFirst = gate.replicated("m2", false);
        assertThat(recordFirst).isNotDone();
        peer.replicate(1, 7);
        assertThat(recordFirst).isCompleted();
        assertThat(peer.order).containsExactly("2@40", "1@7");
    }

    @Test
    void aMessageReadFromTheMirrorIsOnBothClustersAlready() {
        CompletableFuture<Void> waiting = gate.replicated("m1", false);
        gate.mirroredSent("m1");
        assertThat(waiting).isCompleted();
        gate.mirroredSent("m2");
        assertThat(gate.replicated("m2", false)).isCompleted();
        assertThat(peer.order).isEmpty();
    }

    @Test
    void anUnknownDuplicateWaitsForEverythingReadSoFar() {
        gate.localSent("m1", 0, 10);
        gate.localSent("m2", 0, 11);
        gate.localSent("m3", 1, 5);
        CompletableFuture<Void> duplicate = gate.replicated("older", true);
        peer.replicate(0, 11);
        assertThat(duplicate).isNotDone();
        peer.replicate(1, 5);
        assertThat(duplicate).isCompleted();
    }

    @Test
    void aTimedOutWaiterIsForgotten() {
        CompletableFuture<Void> waiting = gate.replicated("m1", false);
        waiting.completeExceptionally(new java.util.concurrent.TimeoutException());
        gate.localSent("m1", 0, 1);
        assertThat(peer.order).isEmpty();
    }
}
