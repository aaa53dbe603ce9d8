package io.natter.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageSent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Natter's serde and an independent Confluent client ({@code @kafkajs/confluent-schema-registry},
 * run with Node.js) read each other's bytes through the same registry.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SchemaInteropIT {
    private static final Path NODE_PROJECT = Path.of("src/test/node/schema-interop").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static SchemaRegistryServer registry;
    private static Topics topics;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isDirectory(NODE_PROJECT.resolve("node_modules"))) {
            run(NODE_PROJECT, "npm", "ci", "--no-audit", "--no-fund");
        }
        registry = SchemaRegistryServer.start(dataDir.resolve("registry"), 0);
        topics = Topics.forRegistry(registry.url());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(process.exitValue()).as("exit code of %s, output:%n%s", List.of(command), output).isZero();
        return output;
    }

    @Test
    void thirdPartyClientDecodesWhatNatterWrites() throws Exception {
        ChatMessageSent sent = ChatMessageSent.newBuilder().setEventType("chat.message.sent.v1").setEventId("E-1")
                .setOccurredAt(Instant.ofEpochMilli(1_764_000_000_123L)).setRegion("us")
                .setPayload(ChatMessage.newBuilder().setMessageId("M-1").setRoomId("R-88").setSenderId("U-9")
                        .setContent("hello, <b>world</b> ✓").setSentAt(Instant.ofEpochMilli(1_764_000_000_100L))
                        .setSeq(42).setClientMsgId("c-1")
                        .setAttachments(List.of(AttachmentRef.newBuilder().setAttachmentId("A-1")
                                .setMimeType("image/png").setSize(2048).build()))
                        .build())
                .build();
        var topic = topics.messageSent();
        Path file = dataDir.resolve("natter-wrote.bin");
        Files.write(file, topic.valueSerde().serializer().serialize(topic.name(), sent));

        JsonNode decoded = JSON.readTree(run(NODE_PROJECT, "node", "interop.mjs", "decode", registry.url(),
                file.toString()));

        assertThat(decoded.path("eventType").asText()).isEqualTo("chat.message.sent.v1");
        assertThat(decoded.path("eventId").asText()).isEqualTo("E-1");
        assertThat(decoded.path("occurredAt").asLong()).isEqualTo(1_764_000_000_123L);
        assertThat(decoded.path("region").asText()).isEqualTo("us");
        assertThat(decoded.path("schemaVersion").asInt()).isEqualTo(1);
        JsonNode payload = decoded.path("payload");
        assertThat(payload.path("messageId").asText()).isEqualTo("M-1");
        assertThat(payload.path("roomId").asText()).isEqualTo("R-88");
        assertThat(payload.path("senderId").asText()).isEqualTo("U-9");
        assertThat(payload.path("content").asText()).isEqualTo("hello, <b>world</b> ✓");
        assertThat(payload.path("sentAt").asLong()).isEqualTo(1_764_000_000_100L);
        assertThat(payload.path("seq").asLong()).isEqualTo(42);
        assertThat(payload.path("clientMsgId").asText()).isEqualTo("c-1");
        assertThat(payload.path("attachments").get(0).path("attachmentId").asText()).isEqualTo("A-1");
        assertThat(payload.path("attachments").get(0).path("size").asLong()).isEqualTo(2048);
    }

    @Test
    void natterDecodesWhatTheThirdPartyClientWrites() throws Exception {
        Path schema = Path.of("../schemas/released/chat.message.sent.v1-value.avsc").toAbsolutePath();
        Path json = dataDir.resolve("node-input.json");
        Files.writeString(json, """
                {"eventType": "chat.message.sent.v1", "eventId": "E-2", "occurredAt": 1764000000999,
                 "region": "eu", "schemaVersion": 1,
                 "payload": {"messageId": "M-2", "roomId": "R-1", "senderId": "U-1", "content": "from node",
                             "sentAt": 1764000000900, "seq": 7, "clientMsgId": null, "attachments": []}}
                """);
        Path out = dataDir.resolve("node-wrote.bin");

        run(NODE_PROJECT, "node", "interop.mjs", "encode", registry.url(), "chat.message.sent.v1-value",
                schema.toString(), json.toString(), out.toString());
        var topic = topics.messageSent();
        ChatMessageSent decoded = topic.valueSerde().deserializer().deserialize(topic.name(), Files.readAllBytes(out));

        assertThat(decoded).isEqualTo(ChatMessageSent.newBuilder().setEventType("chat.message.sent.v1")
                .setEventId("E-2").setOccurredAt(Instant.ofEpochMilli(1_764_000_000_999L)).setRegion("eu")
                .setSchemaVersion(1)
                .setPayload(ChatMessage.newBuilder().setMessageId("M-2").setRoomId("R-1").setSenderId("U-1")
                        .setContent("from node").setSentAt(Instant.ofEpochMilli(1_764_000_000_900L)).setSeq(7)
                        .setClientMsgId(null).setAttachments(List.of()).build())
                .build());
    }
}
