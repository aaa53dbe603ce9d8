package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.natter.edge.EdgeServer;
import io.natter.schemas.avro.ChatMessage;
import io.natter.topologies.TopologiesApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that resends after a reconnect never creates a duplicate: it has 20 messages to send, sends 15 through
 * edge A and drops the connection without reading a single answer, reconnects to edge B and resends all 20 with the same clientMsgIds,
 * (after a RESUME of the room), then resends them once more. Each message exists once in {@code chat.message.sent.v1}, every resend of a message
 * that was already sequenced is ACKed with the original messageId and seq, and a watcher sees each message once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetryIT {
    private static final int MESSAGES = 20;
    /** Sent before the connection drops; the rest were still queued in the client. */
    private static final int SENT_BEFORE_DROP = 15;
    private static final String ROOM = "retry-room";

    @Test
    void resendingWithTheSameClientMsgIdsOnAnotherEdgeCreatesNoDuplicate(@TempDir Path dataDir) {
        long started = System.nanoTime();
        try (DeliveryStack stack = DeliveryStack.start(dataDir, "RetryIT")) {
            TopologiesApp topologies = stack.startTopologyInProcess("topo-0");
            Map<String, String> edgeEnv = DeliveryStack.queryUrls(topologies.queryPort());
            EdgeServer edgeA = stack.startEdge("edge-a", edgeEnv);
            EdgeServer edgeB = stack.startEdge("edge-b", edgeEnv);
            topologies.awaitRunning(Duration.ofSeconds(90));
            Roster roster = Roster.of("user", 2, List.of(ROOM), i -> List.of(0));
            roster.createRooms(stack, edgeA.port());
            String senderId = "user-00";
            List<ChatClient.Planned> plan = roster.plan(senderId, MESSAGES);

            try (ChatClient sender = new ChatClient(senderId, stack.http(), stack.token(senderId));
                 ChatClient watcher = new ChatClient("user-01", stack.http(), stack.token("user-01"))) {
                watcher.connect(edgeB.port());
                sender.connect(edgeA.port());
                plan.subList(0, SENT_BEFORE_DROP).forEach(sender::sendNow);
                // Gone before reading any answer: whatever the edge had not yet taken from the socket is lost too.
                sender.disconnect();
                Roster.awaitQuiet(List.of(watcher));
                Map<String, ChatMessage> sequencedBefore = byClientMsgId(stack.readSentMessages());
                System.out.printf("RetryIT: %d of %d sends were sequenced before the client came back%n",
                        sequencedBefore.size(), MESSAGES);

                // As any client after a reconnect: RESUME what it missed (nothing was read), then resend.
                sender.connectResuming(edgeB.port(), List.of(ROOM));
                plan.forEach(sender::sendNow);
                await("every resend answered").atMost(Duration.ofSeconds(30)).until(sender::finished);
                // A second resend of everything, now that every original ACK is known.
                plan.forEach(sender::sendNow);
                await("every second resend answered").atMost(Duration.ofSeconds(30)).until(sender::finished);
                roster.awaitDelivered(List.of(sender, watcher), Duration.ofSeconds(30));

                List<ChatMessage> sent = stack.readSentMessages();
                DeliveryLedger ledger = new DeliveryLedger(sent, Set.of(ROOM), List.of(sender, watcher),
                        roster.roomsByUser());
                assertThat(ledger.size()).isEqualTo(MESSAGES);
                ledger.assertGaplessSequences();
                ledger.assertEverySendAckedOnceAndRecorded();
                assertThat(ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of())).as("duplicate copies").isZero();

                // What was sequenced before the resends is unchanged, and every resend named it.
                Map<String, ChatMessage> after = byClientMsgId(sent);
                assertThat(after).containsAllEntriesOf(sequencedBefore);
                for (ChatClient.Outbound o : sender.outbound().values()) {
                    List<ChatClient.Reply> onB = o.replies.stream().filter(r -> r.connection() == 2).toList();
                    assertThat(onB).as("answers on edge B to %s", o).hasSize(2)
                            .allSatisfy(r -> {
                                assertThat(r.frame().path("type").asText()).isEqualTo("ACK");
                                assertThat(r.frame().path("messageId").asText())
                                        .isEqualTo(after.get(o.planned.clientMsgId()).getMessageId());
                                assertThat(r.frame().path("seq").asLong())
                                        .isEqualTo(after.get(o.planned.clientMsgId()).getSeq());
                            });
                    boolean sentOnA = plan.indexOf(o.planned) < SENT_BEFORE_DROP;
                    assertThat(o.attempts).as("attempts of %s", o)
                            .isEqualTo(sentOnA ? List.of(1, 2, 2) : List.of(2, 2));
                }
                // Both paths were taken: repeats of sequenced sends, and first deliveries of the ones never sent.
                Set<String> sentOnA = plan.subList(0, SENT_BEFORE_DROP).stream().map(ChatClient.Planned::clientMsgId)
                        .collect(Collectors.toSet());
                assertThat(sequencedBefore).as("sends sequenced before the client came back").isNotEmpty();
                assertThat(sentOnA).containsAll(sequencedBefore.keySet());
                System.out.printf("RetryIT: %d messages once each after %d sends on edge B; total %d ms%n",
                        ledger.size(), 2 * MESSAGES, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            }
        }
    }

    private static Map<String, ChatMessage> byClientMsgId(List<ChatMessage> sent) {
        return sent.stream().collect(Collectors.toMap(ChatMessage::getClientMsgId, Function.identity()));
    }
}
