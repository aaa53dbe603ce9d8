package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.schemas.avro.ChatMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The crash tests are only as good as their checks: each kind of loss, repeat or reordering must fail them. */
class DeliveryLedgerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOM = "room";
    private static final Map<String, Set<String>> MEMBERS = Map.of("alice", Set.of(ROOM), "bob", Set.of(ROOM));

    private final ChatClient alice = new ChatClient("alice", null, null);
    private final ChatClient bob = new ChatClient("bob", null, null);

    @Test
    void acceptsAConsistentRun() {
        List<ChatMessage> topic = deliverTwoMessages();
        DeliveryLedger ledger = ledger(topic);
        ledger.assertGaplessSequences();
        ledger.assertEverySendAckedOnceAndRecorded();
        assertThat(ledger.assertEveryMemberReceivedEveryMessageInOrder(Set.of())).isZero();
    }

    @Test
    void failsWhenAnAcknowledgedMessageIsMissingFromTheTopic() {
        List<ChatMessage> topic = deliverTwoMessages();
        DeliveryLedger ledger = ledger(topic.subList(0, 1));
        assertThatThrownBy(ledger::assertEverySendAckedOnceAndRecorded).isInstanceOf(AssertionError.class);
    }

    @Test
    void failsWhenOneSendWasSequencedTwice() {
        List<ChatMessage> topic = new ArrayList<>(deliverTwoMessages());
        topic.add(message("m3", 3, "alice", "a-1", "alice says #1"));
        assertThatThrownBy(ledger(topic)::assertGaplessSequences).hasMessageContaining("more than one messageId");
    }

    @Test
    void failsOnASeqGapOrARepeatedSeq() {
        assertThatThrownBy(ledger(List.of(message("m1", 1, "alice", "a-1", "x"), message("m2", 3, "bob", "b-1", "y")))
                ::assertGaplessSequences).isInstanceOf(AssertionError.class);
        assertThatThrownBy(ledger(List.of(message("m1", 1, "alice", "a-1", "x"), message("m2", 1, "bob", "b-1", "y")))
                ::assertGaplessSequences).isInstanceOf(AssertionError.class);
    }

    @Test
    void failsWhenAMemberGetsARoomOutOfOrderOrMissesAMessage() {
        List<ChatMessage> topic = deliverTwoMessages();
        ChatClient late = new ChatClient("carol", null, null);
        late.received(1, frame(topic.get(1)));
        late.received(1, frame(topic.get(0)));
        DeliveryLedger reordered = new DeliveryLedger(topic, Set.of(ROOM), List.of(late), Map.of("carol", Set.of(ROOM)));
        assertThatThrownBy(() -> reordered.assertEveryMemberReceivedEveryMessageInOrder(Set.of()))
                .hasMessageContaining("in arrival order");

        ChatClient missing = new ChatClient("dave", null, null);
        missing.received(1, frame(topic.get(0)));
        DeliveryLedger lost = new DeliveryLedger(topic, Set.of(ROOM), List.of(missing), Map.of("dave", Set.of(ROOM)));
        assertThatThrownBy(() -> lost.assertEveryMemberReceivedEveryMessageInOrder(Set.of()))
                .hasMessageContaining("in arrival order");
    }

    @Test
    void countsACopyReceivedTwice() {
        List<ChatMessage> topic = deliverTwoMessages();
        bob.received(0, frame(topic.get(0)));
        assertThat(ledger(topic).assertEveryMemberReceivedEveryMessageInOrder(Set.of())).isEqualTo(1);
    }

    @Test
    void failsWhenASendIsAnsweredTwiceOnALiveConnection() {
        List<ChatMessage> topic = deliverTwoMessages();
        alice.received(0, JSON.createObjectNode().put("type", "ERROR").put("code", "TIMEOUT").put("ref", "a-1"));
        assertThatThrownBy(ledger(topic)::assertEverySendAckedOnceAndRecorded)
                .hasMessageContaining("answers on the live connection");
    }

    /** alice sends a-1 and bob b-1; both are ACKed and both members get both messages. Returns the topic. */
    private List<ChatMessage> deliverTwoMessages() {
        ChatMessage first = message("m1", 1, "alice", "a-1", "alice says #1");
        ChatMessage second = message("m2", 2, "bob", "b-1", "bob says #1");
        alice.sendNow(new ChatClient.Planned(ROOM, "a-1", "alice says #1"));
        bob.sendNow(new ChatClient.Planned(ROOM, "b-1", "bob says #1"));
        for (ChatMessage m : List.of(first, second)) {
            alice.received(0, frame(m));
            bob.received(0, frame(m));
            (m.getSenderId().equals("alice") ? alice : bob).received(0, JSON.createObjectNode().put("type", "ACK")
                    .put("clientMsgId", m.getClientMsgId()).put("messageId", m.getMessageId()).put("seq", m.getSeq()));
        }
        return List.of(first, second);
    }

    private DeliveryLedger ledger(List<ChatMessage> topic) {
        return new DeliveryLedger(topic, Set.of(ROOM), List.of(alice, bob), MEMBERS);
    }

    private static ChatMessage message(String id, long seq, String sender, String clientMsgId, String content) {
        return new ChatMessage(id, ROOM, sender, content, Instant.EPOCH, seq, clientMsgId, List.of(), 0);
    }

    private static JsonNode frame(ChatMessage m) {
        return JSON.createObjectNode().put("type", "MESSAGE").put("roomId", m.getRoomId())
                .put("messageId", m.getMessageId()).put("senderId", m.getSenderId()).put("content", m.getContent())
                .put("seq", m.getSeq());
    }
}
