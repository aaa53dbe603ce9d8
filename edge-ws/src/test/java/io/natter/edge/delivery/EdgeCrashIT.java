package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of an edge mid-stream: eight clients send through edge A (a child JVM) while two watchers listen on
 * edge B; A is killed with SIGKILL; its clients reconnect to B, RESUME each room from the last seq they hold, and
 * resend every unanswered send with the same clientMsgId. No acknowledged message may be lost, none may arrive twice
 * (by messageId or by seq), and every client must hold each room's seqs 1..n in order.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class EdgeCrashIT {
    private static final int SENDERS = 8;
    private static final int MESSAGES_PER_SENDER = 30;
    private static final int WINDOW = 3;
    private static final int KILL_AFTER_ACKS = 70;

    @Test
    void clientsOfAKilledEdgeResumeOnAnotherAndLoseOrRepeatNothing(@TempDir Path dataDir) throws Exception {
        long started = System.nanoTime();
        try (DeliveryStack stack = DeliveryStack.start(dataDir, "EdgeCrashIT")) {
            DeliveryStack.TwoEdges edges = stack.startTopologyAndTwoEdges(Map.of());
            DeliveryStack.Service edgeA = edges.edgeA();
            DeliveryStack.Service edgeB = edges.edgeB();
            System.out.printf("EdgeCrashIT: stack up in %d ms%n", millisSince(started));

            // Users 0..7 send, two rooms each; users 8 and 9 are watchers in every room, on edge B all along.
            Roster roster = Roster.sendersAndTwoWatchers(SENDERS,
                    List.of("edge-crash-0", "edge-crash-1", "edge-crash-2"));
            roster.createRooms(stack, edgeB.port());

            List<ChatClient> senders = new ArrayList<>();
            List<ChatClient> watchers = new ArrayList<>();
            try {
                for (String user : roster.roomsByUser().keySet()) {
                    ChatClient client = new ChatClient(user, stack.http(), stack.token(user));
                    boolean sender = senders.size() < SENDERS;
                    (sender ? senders : watchers).add(client);
                    client.connect(sender ? edgeA.port() : edgeB.port());
                }
                AtomicInteger acks = new AtomicInteger();
                CompletableFuture<Void> killTime = new CompletableFuture<>();
                senders.forEach(c -> c.onAck(reply -> {
                    if (acks.incrementAndGet() == KILL_AFTER_ACKS) {
                        killTime.complete(null);
                    }
                }));
                senders.forEach(c -> c.startSending(roster.plan(c.userId(), MESSAGES_PER_SENDER), WINDOW));

                killTime.orTimeout(60, TimeUnit.SECONDS).join();
                edgeA.kill();
                long killedAt = System.nanoTime();
                await("every client of edge A sees its socket die").atMost(Duration.ofSeconds(15))
                        .until(() -> senders.stream().noneMatch(ChatClient::connected));
                System.out.printf("EdgeCrashIT: killed edge-a with SIGKILL after %d ACKs; sockets dead after %d ms%n",
                        acks.get(), millisSince(killedAt));

                // Reconnect every client to B with a RESUME as its first frame, holding all sends until every
                // client has the replay: a fresh session that gets a live message before its RESUME would
                // deliver that message ahead of the replay (documented in edge-ws/README.md).
                senders.forEach(ChatClient::hold);
                for (ChatClient client : senders) {
                    client.connectResuming(edgeB.port(), roster.roomsByUser().get(client.userId()));
                }
                await("every RESUME replayed up to what the watchers hold").atMost(Duration.ofSeconds(30))
                        .until(() -> senders.stream().allMatch(c -> roster.roomsByUser().get(c.userId()).stream()
                                .allMatch(room -> c.lastContiguousSeq(room) == watchers.getFirst().lastContiguousSeq(room))));
                Map<String, Set<String>> seenBeforeResend = new java.util.HashMap<>();
                watchers.getFirst().frames().forEach(f -> seenBeforeResend
                        .computeIfAbsent(f.frame().path("roomId").asText(), r -> new HashSet<>())
                        .add(f.frame().path("messageId").asText()));
                int resent = senders.stream().mapToInt(ChatClient::resendUnanswered).sum();
                long reconnectedAt = System.nanoTime();
                senders.forEach(ChatClient::release);
                System.out.printf("EdgeCrashIT: all clients reconnected and resumed %d ms after the kill; %d "
                        + "unanswered sends resent%n", TimeUnit.NANOSECONDS.toMillis(reconnectedAt - killedAt), resent);

                await("every send answered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> senders.stream().allMatch(ChatClient::finished));
                List<ChatClient> everyone = Stream.concat(senders.stream(), watchers.stream()).toList();
                roster.awaitDelivered(everyone, Duration.ofSeconds(30));

                DeliveryLedger ledger = new DeliveryLedger(stack.readSentMessages(), Set.copyOf(roster.rooms()),
                        everyone, roster.roomsByUser());
                assertThat(ledger.size()).isEqualTo(SENDERS * MESSAGES_PER_SENDER);
                ledger.assertGaplessSequences();
                ledger.assertEverySendAckedOnceAndRecorded();
                int duplicates = ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of());
                assertThat(duplicates).as("MESSAGE copies received twice across the crash and the RESUME").isZero();

                int answeredWithOriginal = 0;
                for (ChatClient sender : senders) {
                    for (ChatClient.Outbound o : sender.outbound().values()) {
                        if (o.attempts.size() > 1 && seenBeforeResend.getOrDefault(o.planned.roomId(), Set.of())
                                .contains(o.replies.getLast().frame().path("messageId").asText())) {
                            answeredWithOriginal++;
                        }
                    }
                }
                System.out.printf("EdgeCrashIT: %d messages, none lost or repeated; %d of %d resends were already "
                                + "sequenced and got the original ACK; total %d ms%n", ledger.size(),
                        answeredWithOriginal, resent, millisSince(started));
                assertThat(resent).as("sends caught unanswered by the kill").isPositive();
            } finally {
                Stream.concat(senders.stream(), watchers.stream()).forEach(DeliveryStack::closeQuietly);
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
