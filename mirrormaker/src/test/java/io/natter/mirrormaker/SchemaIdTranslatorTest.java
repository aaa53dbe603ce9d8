package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.schemas.ConfluentRegistryClient;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class SchemaIdTranslatorTest {
    private static final String MIRRORED = "us.chat.message.sent.v1";

    private final InMemorySchemaRegistry usRegistry = new InMemorySchemaRegistry();
    private final InMemorySchemaRegistry euRegistry = new InMemorySchemaRegistry();
    private final Topic<String, ChatMessageSent> usSent = new Topics(usRegistry, true).messageSent();

    @Test
    void rewritesTheSchemaIdToTheTargetRegistrysIdUnderTheMirroredSubjectAndKeepsEverythingElse() {
        // Different registration histories give the same schema different ids in the two regions.
        new Topics(euRegistry, true).serde(RoomCommand.class).serialize("x", ChatEvents.joinCommand("eu", "r", "a"));
        new Topics(euRegistry, true).serde(RoomMembershipEvent.class).serialize("y", ChatEvents.joined("eu", "r", "a"));
        ChatMessageSent event = ChatEvents.sent("us", "room-1", 7);
        byte[] usBytes = usSent.valueSerde().serializer().serialize(usSent.name(), event);
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("traceparent", "00-abc-def-01");
        SourceRecord record = new SourceRecord(Map.of("cluster", "us", "topic", usSent.name(), "partition", 2),
                Map.of("offset", 41L), MIRRORED, 2, Schema.OPTIONAL_BYTES_SCHEMA, "room-1".getBytes(),
                Schema.OPTIONAL_BYTES_SCHEMA, usBytes, 1234L, headers);

        SourceRecord mirrored = translator(true).apply(record);

        byte[] euBytes = (byte[]) mirrored.value();
        int euId = ByteBuffer.wrap(euBytes, 1, 4).getInt();
        assertThat(euId).isEqualTo(euRegistry.lookup(MIRRORED + "-value", usRegistry.schemaById(idOf(usBytes))))
                .isNotEqualTo(idOf(usBytes));
        assertThat(euBytes[0]).isZero();
        assertThat(Arrays.copyOfRange(euBytes, 5, euBytes.length)).isEqualTo(Arrays.copyOfRange(usBytes, 5, usBytes.length));
        assertThat(new Topics(euRegistry, false).messageSent().valueSerde().deserializer().deserialize(MIRRORED, euBytes))
                .isEqualTo(event);
        assertThat(mirrored.topic()).isEqualTo(MIRRORED);
        assertThat(mirrored.kafkaPartition()).isEqualTo(2);
        assertThat((byte[]) mirrored.key()).isEqualTo("room-1".getBytes());
        assertThat(mirrored.timestamp()).isEqualTo(1234L);
        assertThat(mirrored.sourcePartition()).isEqualTo(record.sourcePartition());
        assertThat(mirrored.sourceOffset()).isEqualTo(Map.of("offset", 41L));
        assertThat(mirrored.headers()).isEqualTo(headers);
        assertThat((byte[]) record.value()).as("the input record is left alone").isEqualTo(usBytes);
    }

    @Test
    void passesTombstonesThrough() {
        SourceRecord tombstone = record(null);

        assertThat(translator(true).apply(tombstone)).isSameAs(tombstone);
    }

    @Test
    void refusesAValueThatIsNotInTheConfluentWireFormat() {
        assertThatThrownBy(() -> translator(true).apply(record(new byte[] {1, 0, 0, 0, 1, 9})))
                .isInstanceOf(DataException.class).hasMessageContaining("Confluent wire format");
        assertThatThrownBy(() -> translator(true).apply(record(new byte[] {0, 0})))
                .isInstanceOf(DataException.class).hasMessageContaining("Confluent wire format");
    }

    @Test
    void refusesAnIdTheSourceRegistryDoesNotKnow() {
        assertThatThrownBy(() -> translator(true).apply(record(new byte[] {0, 0, 0, 0, 99, 2})))
                .isInstanceOf(DataException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("fetch schema 99 from the source registry");
    }

    @Test
    void withoutAutoRegisterRefusesASchemaMissingFromTheTargetSubject() {
        byte[] usBytes = usSent.valueSerde().serializer().serialize(usSent.name(), ChatEvents.sent("us", "r", 1));

        assertThatThrownBy(() -> translator(false).apply(record(usBytes)))
                .isInstanceOf(DataException.class).hasMessageContaining("look up source schema")
                .hasMessageContaining(MIRRORED + "-value");
    }

    @Test
    void anUnreachableRegistryIsRetriable() {
        byte[] usBytes = usSent.valueSerde().serializer().serialize(usSent.name(), ChatEvents.sent("us", "r", 1));
        // Port 9 (discard) is closed on loopback: the connection is refused at once.
        SchemaIdTranslator translator = new SchemaIdTranslator(new SchemaIdMapping(
                new ConfluentRegistryClient("http://127.0.0.1:9/apis/ccompat/v7"), euRegistry, true));

        assertThatThrownBy(() -> translator.apply(record(usBytes)))
                .isInstanceOf(RetriableException.class).hasMessageContaining("unreachable");
    }

    @Test
    void isConfiguredWithTheTwoRegistryUrls() {
        SchemaIdTranslator translator = new SchemaIdTranslator();

        assertThatThrownBy(() -> translator.configure(Map.of(SchemaIdTranslator.SOURCE_REGISTRY_URL, "http://a")))
                .hasMessageContaining(SchemaIdTranslator.TARGET_REGISTRY_URL);
        translator.configure(Map.of(SchemaIdTranslator.SOURCE_REGISTRY_URL, "http://a",
                SchemaIdTranslator.TARGET_REGISTRY_URL, "http://b"));
        assertThat(translator.config().names()).containsExactlyInAnyOrder(SchemaIdTranslator.SOURCE_REGISTRY_URL,
                SchemaIdTranslator.TARGET_REGISTRY_URL, SchemaIdTranslator.TARGET_AUTO_REGISTER);
    }

    private SchemaIdTranslator translator(boolean autoRegister) {
        return new SchemaIdTranslator(new SchemaIdMapping(usRegistry, euRegistry, autoRegister));
    }

    private static SourceRecord record(byte[] value) {
        return new SourceRecord(Map.of(), Map.of("offset", 0L), MIRRORED, 0, Schema.OPTIONAL_BYTES_SCHEMA,
                "room".getBytes(), Schema.OPTIONAL_BYTES_SCHEMA, value);
    }

    private static int idOf(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }
}
