package io.natter.edge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.natter.schemas.avro.ChatMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The exact checks of a delivery test: the record of truth ({@code chat.message.sent.v1}) against what every client
 * sent, was answered, and received. Each check fails on a lost, duplicated or reordered message.
 */
final class DeliveryLedger {
    private final Map<String, List<ChatMessage>> sentByRoom = new TreeMap<>();
    private final Map<String, ChatMessage> sentById = new HashMap<>();
    private final Collection<ChatClient> clients;
    private final Map<String, Set<String>> roomsByUser;

    /**
     * @param sent the whole topic, in offset order per partition
     * @param rooms the test's rooms; the topic must hold no message of another room
     * @param roomsByUser each client's user id and the rooms it is a member of
     */
    DeliveryLedger(List<ChatMessage> sent, Set<String> rooms, Collection<ChatClient> clients,
                   Map<String, Set<String>> roomsByUser) {
        this.clients = List.copyOf(clients);
        this.roomsByUser = Map.copyOf(roomsByUser);
        for (ChatMessage message : sent) {
            assertThat(rooms).as("room of %s", message).contains(message.getRoomId());
            sentByRoom.computeIfAbsent(message.getRoomId(), r -> new ArrayList<>()).add(message);
            ChatMessage previous = sentById.put(message.getMessageId(), message);
            assertThat(previous).as("messageId %s written twice: %s and %s", message.getMessageId(), previous, message)
                    .isNull();
        }
    }

    /** Messages in the topic, all rooms. */
    int size() {
        return sentById.size();
    }

    /** The room's messages in topic order. */
    List<ChatMessage> room(String roomId) {
        return sentByRoom.getOrDefault(roomId, List.of());
    }

    /**
     * Per room, the topic holds seq 1..n in order, each once; every messageId is unique (checked on construction);
     * no (senderId, clientMsgId) has two messages.
     */
    void assertGaplessSequences() {
        for (Map.Entry<String, List<ChatMessage>> room : sentByRoom.entrySet()) {
            List<Long> seqs = room.getValue().stream().map(ChatMessage::getSeq).toList();
            List<Long> expected = LongStream.rangeClosed(1, seqs.size()).boxed().toList();
            assertThat(seqs).as("seqs of room %s in topic order", room.getKey()).isEqualTo(expected);
        }
        Map<String, List<String>> idsBySend = new HashMap<>();
        sentById.values().stream().filter(m -> m.getClientMsgId() != null).forEach(m -> idsBySend
                .computeIfAbsent(m.getSenderId() + "/" + m.getClientMsgId(), k -> new ArrayList<>()).add(m.getMessageId()));
        Map<String, List<String>> twice = idsBySend.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(twice).as("(senderId/clientMsgId) with more than one messageId").isEmpty();
    }

    /**
     * Every planned message of every client was ACKed and is in the topic exactly once, with the room, sender,
     * content and clientMsgId it was sent with and the messageId/seq of every ACK it got; the topic holds nothing
     * else. Every attempt on a connection still open got exactly one answer; the only ERRORs are retryable ones.
     */
    void assertEverySendAckedOnceAndRecorded() {
        Map<String, ChatMessage> bySend = new HashMap<>();
        sentById.values().forEach(m -> bySend.put(m.getSenderId() + "/" + m.getClientMsgId(), m));
        Set<String> planned = new LinkedHashSet<>();
        for (ChatClient client : clients) {
            Map<Integer, Integer> attemptsOn = new HashMap<>();
            Map<Integer, Integer> repliesOn = new HashMap<>();
            int current = client.currentConnection();
            for (ChatClient.Outbound o : client.outbound().values()) {
                String key = client.userId() + "/" + o.planned.clientMsgId();
                planned.add(key);
                assertThat(o.state).as("final state of %s", o).isEqualTo(ChatClient.State.ACKED);
                ChatMessage recorded = bySend.get(key);
                assertThat(recorded).as("%s in chat.message.sent.v1", o).isNotNull();
                assertThat(recorded.getRoomId()).as("room of %s", o).isEqualTo(o.planned.roomId());
                assertThat(recorded.getContent()).as("content of %s", o).isEqualTo(o.planned.content());
                List<JsonNode> acks = o.replies.stream().map(ChatClient.Reply::frame)
                        .filter(f -> f.path("type").asText().equals("ACK")).toList();
                assertThat(acks).as("ACKs of %s", o).isNotEmpty();
                for (JsonNode ack : acks) {
                    assertThat(ack.path("messageId").asText()).as("ACK messageId of %s", o)
                            .isEqualTo(recorded.getMessageId());
                    assertThat(ack.path("seq").asLong()).as("ACK seq of %s", o).isEqualTo(recorded.getSeq());
                }
                o.replies.stream().map(ChatClient.Reply::frame).filter(f -> f.path("type").asText().equals("ERROR"))
                        .forEach(error -> assertThat(ChatClient.RETRYABLE).as("ERROR answering %s", o)
                                .contains(error.path("code").asText()));
                o.attempts.forEach(c -> attemptsOn.merge(c, 1, Integer::sum));
                o.replies.forEach(r -> repliesOn.merge(r.connection(), 1, Integer::sum));
                // Exactly one answer per attempt on the live connection; a dead one may have taken answers with it.
                long attemptsNow = o.attempts.stream().filter(c -> c == current).count();
                long repliesNow = o.replies.stream().filter(r -> r.connection() == current).count();
                assertThat(repliesNow).as("answers on the live connection to %s", o).isEqualTo(attemptsNow);
            }
            repliesOn.forEach((conn, replies) -> assertThat(replies)
                    .as("%s: answers on connection %d vs attempts %s", client, conn, attemptsOn)
                    .isLessThanOrEqualTo(attemptsOn.getOrDefault(conn, 0)));
            // No ACK or ERROR that answers nothing this client sent.
            List<JsonNode> strays = client.frames().stream().map(ChatClient.Received::frame)
                    .filter(f -> f.path("type").asText().equals("ACK") || f.path("type").asText().equals("ERROR"))
                    .filter(f -> !client.outbound().containsKey(f.path("type").asText().equals("ACK")
                            ? f.path("clientMsgId").asText() : f.path("ref").asText()))
                    .toList();
            assertThat(strays).as("%s: answers to nothing it sent", client).isEmpty();
        }
        assertThat(bySend.keySet()).as("the topic holds exactly the planned sends")
                .containsExactlyInAnyOrderElementsOf(planned);
        assertThat(sentById).hasSameSizeAs(planned);
    }

    /**
     * Every client received, per room it is a member of, every message of the room in seq order (after dedupe by
     * messageId, keeping the first copy), each with the topic's seq, sender and content; no message of another room;
     * no frame but MESSAGE, ACK, ERROR and those in {@code alsoAllowed}. Returns the number of duplicate copies seen.
     */
    int assertEveryMemberReceivedEveryMessageInOrder(Set<String> alsoAllowed) {
        int duplicates = 0;
        for (ChatClient client : clients) {
            Set<String> rooms = roomsByUser.get(client.userId());
            assertThat(client.roomsReceived()).as("%s: rooms it got messages of", client).isSubsetOf(rooms);
            for (String room : rooms) {
                Map<String, JsonNode> firstCopies = new LinkedHashMap<>();
                List<JsonNode> raw = client.messages(room);
                raw.forEach(m -> firstCopies.putIfAbsent(m.path("messageId").asText(), m));
                duplicates += raw.size() - firstCopies.size();
                List<String> expected = room(room).stream().map(ChatMessage::getMessageId).toList();
                assertThat(List.copyOf(firstCopies.keySet())).as("%s: messageIds of room %s in arrival order", client, room)
                        .isEqualTo(expected);
                for (JsonNode m : raw) {
                    ChatMessage truth = sentById.get(m.path("messageId").asText());
                    assertThat(m.path("seq").asLong()).as("%s: seq of %s", client, m).isEqualTo(truth.getSeq());
                    assertThat(m.path("senderId").asText()).as("%s: sender of %s", client, m).isEqualTo(truth.getSenderId());
                    assertThat(m.path("content").asText()).as("%s: content of %s", client, m).isEqualTo(truth.getContent());
                }
            }
            Set<String> allowed = new LinkedHashSet<>(List.of("MESSAGE", "ACK", "ERROR"));
            allowed.addAll(alsoAllowed);
            List<JsonNode> unexpected = client.frames().stream().map(ChatClient.Received::frame)
                    .filter(f -> !allowed.contains(f.path("type").asText())).toList();
            assertThat(unexpected).as("%s: unexpected frames", client).isEmpty();
        }
        return duplicates;
    }
}
