package io.natter.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for generated Avro records in the Confluent wire format: magic byte 0, the schema's 4-byte
 * registry id, then Avro binary. Subjects follow the TopicNameStrategy ({@code <topic>-value}).
 *
 * <p>Hand-written because no serde on Maven Central speaks the Confluent registry API (see
 * {@link ConfluentRegistryClient}). Readers resolve the writer's schema by id, so data written
 * with an older, compatible schema still decodes into today's classes.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private static final byte MAGIC = 0;

    static {
        AvroTrust.install();
    }

    private final Class<T> type;
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final SpecificData model;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
    private final SpecificDatumWriter<T> writer;
    private boolean isKey;

    /**
     * @param autoRegister register the schema on first write (dev, tests); when false the schema
     *     must already be registered, as in a governed production registry
     */
    public AvroSerde(Class<T> type, SchemaRegistryClient registry, boolean autoRegister) {
        this.type = type;
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
    }

    public Class<T> type() {
        return type;
    }

    /** Encodes {@code record} for {@code topic}, registering or looking up its schema. */
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        String subject = topic + (isKey ? "-key" : "-value");
        int id;
        try {
            id = autoRegister ? registry.register(subject, readerSchema) : registry.lookup(subject, readerSchema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot get a schema id for subject " + subject + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + " for " + topic, e);
        }
        return out.toByteArray();
    }

    /** Decodes Confluent-framed Avro bytes into {@code T}, resolving the writer schema by id. */
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < 5 || data[0] != MAGIC) {
            throw new SerializationException("not Confluent wire format (magic byte 0 and a schema id) on " + topic);
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        SpecificDatumReader<T> reader;
        try {
            reader = readersByWriterId.computeIfAbsent(id,
                    key -> new SpecificDatumReader<>(registry.schemaById(key), readerSchema, model));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot fetch writer schema " + id + " for " + topic + ": " + e.getMessage(), e);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " (schema id " + id + ") on " + topic, e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }
}
