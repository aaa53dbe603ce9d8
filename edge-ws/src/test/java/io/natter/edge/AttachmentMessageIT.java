package io.natter.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.natter.edge.auth.HmacTokenSigner;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages with attachments through the real WebSocket: the attachment-api's register and remove commands are
 * produced straight to chat.message.requested.v1, as that service writes them, and the topology resolves the
 * ids a SEND_MESSAGE names into metadata that MESSAGE, HISTORY and RESUME carry.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttachmentMessageIT {
    private static final Duration FRAME_WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final Instant CREATED = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeItStack stack;
    private EdgeServer edge;
    private HmacTokenSigner tokens;
    private EdgeRest rest;
    private Topics topics;
    private KafkaProducer<String, RoomCommand> attachmentApi;

    @BeforeAll
    void startStack(@TempDir Path dataDir) {
        stack = EdgeItStack.start(dataDir, "attachment-it", 3, Map.of());
        edge = stack.startEdge("edge-attachments", Map.of());
        tokens = stack.tokens();
        rest = new EdgeRest(http, edge::port, tokens);
        topics = Topics.forRegistry(stack.registryUrl());
        Topic<String, RoomCommand> requested = topics.messageRequested();
        attachmentApi = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), requested.keySerde().serializer(), requested.valueSerde().serializer());
    }

    @AfterAll
    void stopStack() {
        EdgeRest.closeQuietly(attachmentApi);
        stack.close();
        http.close();
    }

    @Test
    void membersGetTheAttachmentsMetadataLiveInHistoryAndOnResumeAndTheUploadIsAnnouncedOnce() throws Exception {
        String room = "files-" + UUID.randomUUID();
        AttachmentMetadata plan = attachment(room, "plan.pdf", "application/pdf", 2048);
        AttachmentMetadata photo = attachment(room, null, "image/png", 10);
        try (WsTestClient alice = connect("alice"); WsTestClient bob = connect("bob")) {
            rest.createRoom("alice", room, "private", List.of("bob"));
            register(plan);
            register(photo);
            // The attachment-api may write a registration twice (a retried produce): no second event.
            register(plan);

            alice.send(send(room, "", List.of(photo.getAttachmentId(), plan.getAttachmentId()), "a-1"));

            JsonNode expectedAttachments = json.readTree("[" + refJson(photo) + "," + refJson(plan) + "]");
            Frames atAlice = Frames.collect(alice, 2);
            assertThat(atAlice.errors).isEmpty();
            JsonNode message = atAlice.messages.getFirst();
            assertThat(message.get("attachments")).isEqualTo(expectedAttachments);
            assertThat(message.get("content").asText()).isEmpty();
            assertThat(atAlice.acks.getFirst().get("messageId")).isEqualTo(message.get("messageId"));
            JsonNode atBob = bob.next(FRAME_WAIT);
            assertThat(atBob).isEqualTo(message);

            bob.send("{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\",\"id\":\"h1\"}");
            JsonNode history = bob.next(FRAME_WAIT);
            assertThat(history.get("type").asText()).isEqualTo("HISTORY");
            assertThat(history.get("messages")).hasSize(1);
            assertThat(history.get("messages").get(0).get("messageId")).isEqualTo(message.get("messageId"));
            assertThat(history.get("messages").get(0).get("attachments")).isEqualTo(expectedAttachments);

            try (WsTestClient bobElsewhere = connect("bob")) {
                bobElsewhere.send("{\"type\":\"RESUME\",\"rooms\":{\"" + room + "\":0}}");
                assertThat(bobElsewhere.next(FRAME_WAIT)).isEqualTo(message);
                bobElsewhere.assertNoFrameWithin(QUIET);
            }
            alice.assertNoFrameWithin(QUIET);
            bob.assertNoFrameWithin(QUIET);
        }

        assertThat(stack.records(topics.attachmentUploaded()).stream()
                .filter(r -> r.key().equals(room))
                .map(r -> r.value().getPayload()).toList())
                .containsExactly(plan, photo);
        assertThat(stack.records(topics.attachmentUploaded()).stream().filter(r -> r.key().equals(room))
                .map(r -> r.value().getEventType()).toList())
                .containsOnly("chat.attachment.uploaded.v1");
        assertThat(sentTo(room)).singleElement().satisfies(sent -> assertThat(sent.getAttachments())
                .containsExactly(ref(photo), ref(plan)));
    }

    @Test
    void refusesUnknownOtherRoomsAndRemovedAttachmentsAndWritesNothing() throws Exception {
        String room = "shared-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        AttachmentMetadata elsewhere = attachment(other, "elsewhere.txt", "text/plain", 5);
        AttachmentMetadata removed = attachment(room, "gone.txt", "text/plain", 7);
        try (WsTestClient carol = connect("carol")) {
            rest.createRoom("carol", room, "public", List.of());
            rest.createRoom("carol", other, "public", List.of());
            register(elsewhere);
            register(removed);
            carol.send(send(room, "before removal", List.of(removed.getAttachmentId()), "c-0"));
            Frames accepted = Frames.collect(carol, 2);
            assertThat(accepted.errors).isEmpty();
            remove(room, removed.getAttachmentId());

            carol.send(send(room, "unknown", List.of("att-" + UUID.randomUUID()), "c-1"));
            assertError(carol.next(FRAME_WAIT), "ATTACHMENT_NOT_FOUND", "c-1");
            carol.send(send(room, "another room's", List.of(elsewhere.getAttachmentId()), "c-2"));
            assertError(carol.next(FRAME_WAIT), "ATTACHMENT_NOT_FOUND", "c-2");
            carol.send(send(room, "removed", List.of(removed.getAttachmentId()), "c-3"));
            assertError(carol.next(FRAME_WAIT), "ATTACHMENT_NOT_FOUND", "c-3");
            // Refused at the edge, before Kafka.
            carol.send(send(room, "too many", IntStream.rangeClosed(1, 11).mapToObj(i -> "a" + i).toList(), "c-4"));
            assertError(carol.next(FRAME_WAIT), "TOO_MANY_ATTACHMENTS", "c-4");
            carol.send(send(room, "twice", List.of("a", "a"), "c-5"));
            assertError(carol.next(FRAME_WAIT), "DUPLICATE_ATTACHMENT", "c-5");
            carol.send("{\"type\":\"SEND_MESSAGE\",\"roomId\":\"" + room + "\",\"content\":\"x\",\"attachments\":[1],"
                    + "\"clientMsgId\":\"c-6\"}");
            assertError(carol.next(FRAME_WAIT), "INVALID_FRAME", "c-6");

            // The message sent before the removal keeps its metadata.
            carol.send("{\"type\":\"HISTORY\",\"roomId\":\"" + room + "\"}");
            JsonNode history = carol.next(FRAME_WAIT);
            assertThat(history.get("messages")).hasSize(1);
            assertThat(history.get("messages").get(0).get("attachments"))
                    .isEqualTo(json.readTree("[" + refJson(removed) + "]"));
            carol.assertNoFrameWithin(QUIET);
        }
        assertThat(sentTo(room)).extracting(ChatMessage::getContent).containsExactly("before removal");
        assertThat(sentTo(other)).isEmpty();
    }

    private void register(AttachmentMetadata attachment) throws Exception {
        produce(attachment.getRoomId(), new RegisterAttachment(attachment.getRoomId(), attachment),
                "chat.attachment.register.requested.v1", attachment.getOwnerId());
    }

    private void remove(String roomId, String attachmentId) throws Exception {
        produce(roomId, new RemoveAttachment(roomId, attachmentId), "chat.attachment.remove.requested.v1", "carol");
    }

    /** Writes a command as the attachment-api does: keyed by room, acknowledged by the broker before returning. */
    private void produce(String roomId, Object payload, String eventType, String actorId) throws Exception {
        RoomCommand command = new RoomCommand(eventType, UUID.randomUUID().toString(), Instant.now(), "us", 1,
                UUID.randomUUID().toString(), actorId, new Origin("attachment-api", null), payload);
        attachmentApi.send(new ProducerRecord<>(topics.messageRequested().name(), roomId, command)).get();
    }

    private static AttachmentMetadata attachment(String roomId, String fileName, String mimeType, long size) {
        String id = "att-" + UUID.randomUUID();
        return new AttachmentMetadata(id, roomId, "alice", roomId + "/" + id, fileName, mimeType, size, null, CREATED);
    }

    private static AttachmentRef ref(AttachmentMetadata a) {
        return new AttachmentRef(a.getAttachmentId(), a.getFileName(), a.getMimeType(), a.getSize());
    }

    /** The MESSAGE frame's JSON of one attachment: a null file name is omitted. */
    private static String refJson(AttachmentMetadata a) {
        return "{\"attachmentId\":\"" + a.getAttachmentId() + "\""
                + (a.getFileName() == null ? "" : ",\"fileName\":\"" + a.getFileName() + "\"")
                + ",\"mimeType\":\"" + a.getMimeType() + "\",\"size\":" + a.getSize() + "}";
    }

    private List<ChatMessage> sentTo(String roomId) {
        return stack.sentMessages().stream().filter(m -> m.getRoomId().equals(roomId)).toList();
    }

    private String send(String roomId, String content, List<String> attachments, String clientMsgId) {
        ArrayNode ids = json.createArrayNode();
        attachments.forEach(ids::add);
        return json.createObjectNode().put("type", "SEND_MESSAGE").put("roomId", roomId).put("content", content)
                .put("clientMsgId", clientMsgId).set("attachments", ids).toString();
    }

    private static void assertError(JsonNode frame, String code, String ref) {
        assertThat(frame.get("type").asText()).as(frame.toString()).isEqualTo("ERROR");
        assertThat(frame.get("code").asText()).as(frame.toString()).isEqualTo(code);
        assertThat(frame.get("ref").asText()).isEqualTo(ref);
        assertThat(frame.get("message").asText()).isNotBlank();
        List<String> names = new ArrayList<>();
        frame.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("type", "code", "message", "ref");
    }

    private WsTestClient connect(String user) {
        return WsTestClient.connect(http, edge.port(), user, tokens.sign(user, Duration.ofMinutes(10)));
    }

    /** The frames one client received, split into MESSAGE, ACK and ERROR. */
    private record Frames(List<JsonNode> messages, List<JsonNode> acks, List<JsonNode> errors) {
        static Frames collect(WsTestClient client, int count) {
            Frames frames = new Frames(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < count; i++) {
                JsonNode frame = client.next(FRAME_WAIT);
                switch (frame.get("type").asText()) {
                    case "MESSAGE" -> frames.messages.add(frame);
                    case "ACK" -> frames.acks.add(frame);
                    case "ERROR" -> frames.errors.add(frame);
                    default -> throw new AssertionError(client + " got an unexpected frame " + frame);
                }
            }
            return frames;
        }
    }
}
