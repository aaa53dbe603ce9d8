package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.edge.EdgeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a topology instance mid-stream: two TopologiesApp child JVMs (exactly-once v2) share the rooms;
 * ten clients in three rooms send continuously through one edge; the instance that owns a busy room is killed with
 * SIGKILL. Nothing acknowledged may be lost, no seq may repeat or be skipped, no message may get two ids, and every
 * member must receive every message of its rooms in seq order.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TopologyCrashIT {
    private static final int USERS = 10;
    private static final int MESSAGES_PER_USER = 30;
    private static final int WINDOW = 2;
    private static final int KILL_AFTER_ACKS = 80;

    @Test
    void killingATopologyInstanceMidStreamLosesDuplicatesAndReordersNothing(@TempDir Path dataDir) throws Exception {
        long started = System.nanoTime();
        try (DeliveryStack stack = DeliveryStack.start(dataDir, "TopologyCrashIT")) {
            DeliveryStack.Service topoA = stack.startTopologyProcess("topo-a");
            DeliveryStack.Service topoB = stack.startTopologyProcess("topo-b");
            // A long request timeout: the takeover must be absorbed by waiting, not turned into refusals.
            Map<String, String> edgeEnv = new java.util.HashMap<>(DeliveryStack.queryUrls(topoA.port(), topoB.port()));
            edgeEnv.put("NATTER_REQUEST_TIMEOUT_MS", "30000");
            EdgeServer edge = stack.startEdge("edge-1", edgeEnv);
            stack.awaitReady(topoA);
            stack.awaitReady(topoB);
            stack.awaitTopologyGroup(Set.of("topo-a", "topo-b"), Duration.ofSeconds(60));
            System.out.printf("TopologyCrashIT: stack up in %d ms%n", millisSince(started));

            List<String> rooms = DeliveryStack.roomsOnDistinctPartitions("crash-room", 3);
            Roster roster = Roster.of("user", USERS, rooms, i -> List.of(i % 3, (i + 1) % 3));
            roster.createRooms(stack, edge.port());

            Map<String, Set<Integer>> owners = stack.commandPartitionsByInstance();
            String victimId = owners.entrySet().stream()
                    .filter(e -> e.getValue().contains(DeliveryStack.partitionOf(rooms.getFirst())))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
            DeliveryStack.Service victim = victimId.equals("topo-a") ? topoA : topoB;
            List<String> orphaned = rooms.stream()
                    .filter(r -> owners.get(victimId).contains(DeliveryStack.partitionOf(r))).toList();
            System.out.printf("TopologyCrashIT: partitions %s; will kill %s, owner of rooms %s%n", owners, victim, orphaned);

            List<ChatClient> clients = new ArrayList<>();
            AtomicInteger acks = new AtomicInteger();
            CompletableFuture<Void> killTime = new CompletableFuture<>();
            try {
                for (String user : roster.roomsByUser().keySet()) {
                    ChatClient client = new ChatClient(user, stack.http(), stack.token(user));
                    clients.add(client);
                    client.connect(edge.port());
                    client.onAck(reply -> {
                        if (acks.incrementAndGet() == KILL_AFTER_ACKS) {
                            killTime.complete(null);
                        }
                    });
                }
                long streamStart = System.nanoTime();
                clients.forEach(c -> c.startSending(roster.plan(c.userId(), MESSAGES_PER_USER), WINDOW));

                killTime.orTimeout(60, TimeUnit.SECONDS).join();
                victim.kill();
                long killedAt = System.nanoTime();
                int unansweredAtKill = clients.stream().mapToInt(c -> (int) c.outbound().values().stream()
                        .filter(o -> o.state == ChatClient.State.PENDING).count()).sum();
                System.out.printf("TopologyCrashIT: killed %s with SIGKILL at %s after %d ACKs, %d ms into the "
                        + "stream, %d sends unanswered%n", victimId, java.time.LocalTime.now(), acks.get(), millisSince(streamStart), unansweredAtKill);

                await("every send answered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> clients.stream().allMatch(ChatClient::finished));
                long allAckedAt = System.nanoTime();
                int totalMessages = USERS * MESSAGES_PER_USER;
                roster.awaitDelivered(clients, Duration.ofSeconds(30));

                reportTakeover(clients, orphaned, killedAt, allAckedAt);

                DeliveryLedger ledger = new DeliveryLedger(stack.readSentMessages(), Set.copyOf(rooms), clients,
                        roster.roomsByUser());
                assertThat(ledger.size()).isEqualTo(totalMessages);
                ledger.assertGaplessSequences();
                ledger.assertEverySendAckedOnceAndRecorded();
                int duplicates = ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of());
                System.out.printf("TopologyCrashIT: %d messages, all ACKed once and recorded once; %d duplicate "
                        + "MESSAGE copies at clients; total %d ms%n", totalMessages, duplicates, millisSince(started));
                // Exactly-once fan-out read with read_committed: a member never sees a copy twice.
                assertThat(duplicates).as("duplicate MESSAGE copies").isZero();
                // The kill really interrupted traffic that then went through the survivor.
                assertThat(orphaned).isNotEmpty();
            } finally {
                clients.forEach(DeliveryStack::closeQuietly);
            }
        }
    }

    /** Prints how long the orphaned rooms stalled: kill → first ACK of an orphaned room, and → last room resumed. */
    private static void reportTakeover(List<ChatClient> clients, List<String> orphaned, long killedAt, long allAckedAt) {
        Map<String, Long> firstAckAfterKill = new TreeMap<>();
        for (ChatClient client : clients) {
            for (ChatClient.Outbound o : client.outbound().values()) {
                if (!orphaned.contains(o.planned.roomId())) {
                    continue;
                }
                o.replies.stream().filter(r -> r.atNanos() > killedAt && r.frame().path("type").asText().equals("ACK"))
                        .mapToLong(ChatClient.Reply::atNanos).min()
                        .ifPresent(at -> firstAckAfterKill.merge(o.planned.roomId(), at, Math::min));
            }
        }
        assertThat(firstAckAfterKill.keySet()).as("orphaned rooms that got ACKs after the kill")
                .containsExactlyInAnyOrderElementsOf(orphaned);
        long first = firstAckAfterKill.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = firstAckAfterKill.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf("TopologyCrashIT: TAKEOVER after kill -9: first ACK in an orphaned room after %d ms, "
                        + "every orphaned room resumed after %d ms, all sends ACKed %d ms after the kill "
                        + "(session timeout %d ms)%n",
                TimeUnit.NANOSECONDS.toMillis(first - killedAt), TimeUnit.NANOSECONDS.toMillis(last - killedAt),
                TimeUnit.NANOSECONDS.toMillis(allAckedAt - killedAt), DeliveryStack.SESSION_TIMEOUT.toMillis());
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
