package io.natter.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Topics topics = new Topics(registry, true);

    private static ChatMessage message() {
        return ChatMessage.newBuilder().setMessageId("M1").setRoomId("R1").setSenderId("U1").setContent("hello")
                .setSentAt(Instant.ofEpochMilli(1_700_000_000_123L)).setSeq(7).setClientMsgId("c-1").build();
    }

    @Test
    void roundTripsAUnionPayloadInConfluentWireFormat() {
        ChatFanout fanout = ChatFanout.newBuilder().setEventType("chat.fanout.v1").setEventId("E1")
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_456L)).setRegion("us")
                .setPayload(Fanout.newBuilder().setRoomId("R1").setRecipients(List.of("U1", "U2"))
                        .setOrigin(Origin.newBuilder().setNodeId("edge-1").setSessionId("s1").build())
                        .setCommandId("C1").setEvent(message()).build())
                .build();
        var topic = topics.fanout();

        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), fanout);

        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(registry.schemaById(id)).isEqualTo(ChatFanout.getClassSchema());
        assertThat(registry.lookup("chat.fanout.v1-value", ChatFanout.getClassSchema())).isEqualTo(id);
        assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), bytes)).isEqualTo(fanout);
    }

    @Test
    void decodesRecordsWrittenWithAnOlderCompatibleSchema() {
        // A writer that did not yet know attachmentIds: the reader fills the default.
        var older = org.apache.avro.SchemaBuilder.record("SendMessageRequested").namespace("io.natter.schemas.avro")
                .fields().requiredString("roomId").requiredString("content")
                .name("clientMsgId").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
                .endRecord();
        var roomCommandV0 = new org.apache.avro.Schema.Parser().parse(RoomCommand.getClassSchema().toString()
                .replace(SendMessageRequested.getClassSchema().toString(), older.toString()));
        int id = registry.register("chat.message.requested.v1-value", roomCommandV0);

        var record = new org.apache.avro.generic.GenericRecordBuilder(roomCommandV0)
                .set("eventType", "t").set("eventId", "e").set("occurredAt", 1L).set("region", "us")
                .set("schemaVersion", 1).set("commandId", "C1").set("actorId", "U1")
                .set("origin", new org.apache.avro.generic.GenericRecordBuilder(roomCommandV0.getField("origin").schema())
                        .set("nodeId", "n").set("sessionId", null).build())
                .set("payload", new org.apache.avro.generic.GenericRecordBuilder(roomCommandV0.getField("payload").schema().getTypes().get(0))
                        .set("roomId", "R1").set("content", "hi").set("clientMsgId", null).build())
                .build();
        var out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        var encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(roomCommandV0)
                    .write(record, encoder);
            encoder.flush();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }

        RoomCommand decoded = topics.messageRequested().valueSerde().deserializer()
                .deserialize("chat.message.requested.v1", out.toByteArray());

        assertThat(decoded.getPayload()).isInstanceOfSatisfying(SendMessageRequested.class, send -> {
            assertThat(send.getContent()).isEqualTo("hi");
            assertThat(send.getAttachmentIds()).isEmpty();
        });
    }

    @Test
    void refusesBytesThatAreNotInTheWireFormat() {
        var deserializer = topics.fanout().valueSerde().deserializer();
        assertThatThrownBy(() -> deserializer.deserialize("chat.fanout.v1", new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte");
        assertThatThrownBy(() -> deserializer.deserialize("chat.fanout.v1", new byte[] {0, 0, 0, 0, 99, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("schema 99");
    }

    @Test
    void withoutAutoRegisterRefusesAnUnregisteredSchema() {
        var governed = new Topics(registry, false);
        var topic = governed.messageSent();
        var sent = io.natter.schemas.avro.ChatMessageSent.newBuilder().setEventType("chat.message.sent.v1")
                .setEventId("E").setOccurredAt(Instant.EPOCH).setRegion("us").setPayload(message()).build();

        assertThatThrownBy(() -> topic.valueSerde().serializer().serialize(topic.name(), sent))
                .isInstanceOf(SerializationException.class).hasMessageContaining("chat.message.sent.v1-value");
    }
}
