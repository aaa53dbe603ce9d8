package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.edge.EdgeServer;
import io.natter.infra.FreePorts;
import io.natter.topologies.TopologiesApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-room order through a rebalance both ways: 50 clients in 5 rooms (10 per room), spread over two edges, send
 * concurrently while a second topology instance joins the group and later leaves it (clean close). Every receiver
 * of a room must see the room's messages in one identical order (the topic's), seq 1..n, each exactly once; every
 * send is ACKed exactly once (after retries of TIMEOUT/UNAVAILABLE with the same clientMsgId).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class OrderingUnderRebalanceIT {
    private static final int USERS = 50;
    private static final int ROOMS = 5;
    private static final int MESSAGES_PER_USER = 20;
    private static final Duration SEND_INTERVAL = Duration.ofMillis(600);
    private static final int JOIN_AFTER_ACKS = 150;

    @Test
    void everyReceiverSeesEachRoomInOneGaplessOrderWhileAnInstanceJoinsAndLeaves(@TempDir Path dataDir)
            throws Exception {
        long started = System.nanoTime();
        try (DeliveryStack stack = DeliveryStack.start(dataDir, "OrderingUnderRebalanceIT")) {
            int queryPortA = FreePorts.pick();
            int queryPortB = FreePorts.pick();
            TopologiesApp topoA = stack.startTopologyInProcess("topo-a", queryPortA);
            Map<String, String> edgeEnv = DeliveryStack.queryUrls(queryPortA, queryPortB);
            EdgeServer edgeX = stack.startEdge("edge-x", edgeEnv);
            EdgeServer edgeY = stack.startEdge("edge-y", edgeEnv);
            topoA.awaitRunning(Duration.ofSeconds(90));
            System.out.printf("OrderingUnderRebalanceIT: stack up in %d ms%n", millisSince(started));

            List<String> rooms = DeliveryStack.roomsOnDistinctPartitions("order-room", ROOMS);
            Roster roster = Roster.of("user", USERS, rooms, i -> List.of(i / (USERS / ROOMS)));
            roster.createRooms(stack, edgeX.port());

            List<ChatClient> clients = new ArrayList<>();
            try {
                AtomicInteger acks = new AtomicInteger();
                CompletableFuture<Void> joinTime = new CompletableFuture<>();
                int n = 0;
                for (String user : roster.roomsByUser().keySet()) {
                    ChatClient client = new ChatClient(user, stack.http(), stack.token(user));
                    clients.add(client);
                    client.connect(n++ % 2 == 0 ? edgeX.port() : edgeY.port());
                    client.onAck(reply -> {
                        if (acks.incrementAndGet() == JOIN_AFTER_ACKS) {
                            joinTime.complete(null);
                        }
                    });
                }
                long streamStart = System.nanoTime();
                clients.forEach(c -> c.startSending(roster.plan(c.userId(), MESSAGES_PER_USER), 1, SEND_INTERVAL));

                joinTime.orTimeout(60, TimeUnit.SECONDS).join();
                long joinAt = System.nanoTime();
                TopologiesApp topoB = stack.startTopologyInProcess("topo-b", queryPortB);
                stack.awaitTopologyGroup(Set.of("topo-a", "topo-b"), Duration.ofSeconds(60));
                int acksAtJoin = acks.get();
                System.out.printf("OrderingUnderRebalanceIT: topo-b joined (%d ms after %d ACKs, %d ms into the "
                                + "stream); partitions %s%n", millisSince(joinAt), JOIN_AFTER_ACKS, millisSince(streamStart),
                        stack.commandPartitionsByInstance());
                // Let the two-instance assignment carry traffic before taking it apart again.
                await("traffic through both instances").atMost(Duration.ofSeconds(30))
                        .until(() -> acks.get() >= acksAtJoin + 100);
                long leaveAt = System.nanoTime();
                int acksAtLeave = acks.get();
                topoB.close();
                stack.awaitTopologyGroup(Set.of("topo-a"), Duration.ofSeconds(60));
                System.out.printf("OrderingUnderRebalanceIT: topo-b left after %d ACKs, group back to topo-a alone "
                        + "in %d ms%n", acksAtLeave, millisSince(leaveAt));
                // Both rebalances happened while messages were still being sent.
                assertThat(acksAtLeave).as("ACKs when topo-b left").isLessThan(USERS * MESSAGES_PER_USER - USERS);

                await("every send answered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> clients.stream().allMatch(ChatClient::finished));
                roster.awaitDelivered(clients, Duration.ofSeconds(30));

                DeliveryLedger ledger = new DeliveryLedger(stack.readSentMessages(), Set.copyOf(rooms), clients,
                        roster.roomsByUser());
                assertThat(ledger.size()).isEqualTo(USERS * MESSAGES_PER_USER);
                ledger.assertGaplessSequences();
                ledger.assertEverySendAckedOnceAndRecorded();
                int duplicates = ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of());
                long retried = clients.stream().flatMap(c -> c.outbound().values().stream())
                        .filter(o -> o.attempts.size() > 1).count();
                System.out.printf("OrderingUnderRebalanceIT: %d messages in %d rooms, one order per room at all %d "
                                + "receivers; %d sends retried after TIMEOUT/UNAVAILABLE; %d duplicate copies; total %d ms%n",
                        ledger.size(), ROOMS, USERS, retried, duplicates, millisSince(started));
                // The edge's per-session cursor drops repeats, so a session never sees a message twice.
                assertThat(duplicates).as("duplicate MESSAGE copies").isZero();
            } finally {
                clients.forEach(DeliveryStack::closeQuietly);
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
