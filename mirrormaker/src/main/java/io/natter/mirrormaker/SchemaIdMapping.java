package io.natter.mirrormaker;

import io.natter.schemas.SchemaRegistryClient;
import io.natter.schemas.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * Maps the schema id in a Confluent wire-format value (byte 0, 4-byte id, Avro binary) from the source region's
 * registry to the target region's: the schema is fetched by id from the source, registered (or found) under the
 * target topic's subject ({@code <topic>-value}) in the target, and the 4 id bytes are replaced. The Avro body is
 * copied untouched. Both lookups are cached: a registry never changes what an id means.
 */
final class SchemaIdMapping {
    private static final byte MAGIC = 0;
    private static final int HEADER_LENGTH = 1 + Integer.BYTES;

    private final SchemaRegistryClient source;
    private final SchemaRegistryClient target;
    private final boolean autoRegister;
    private final Map<SubjectId, Integer> targetIds = new ConcurrentHashMap<>();

    private record SubjectId(String subject, int sourceId) {}

    /**
     * @param autoRegister register the schema under the target subject when missing; when false the target
     *     registry must hold it already (a governed registry), else the record is refused
     */
    SchemaIdMapping(SchemaRegistryClient source, SchemaRegistryClient target, boolean autoRegister) {
        this.source = source;
        this.target = target;
        this.autoRegister = autoRegister;
    }

    /**
     * Returns {@code value} with its schema id replaced by the target registry's id for the same schema under
     * {@code targetTopic}'s value subject.
     *
     * @throws RetriableException when a registry cannot be reached or answers 5xx: Connect retries the record
     * @throws DataException when the value is not Confluent-framed or a registry refuses (unknown id, incompatible)
     */
    byte[] translate(String targetTopic, byte[] value) {
        if (value.length < HEADER_LENGTH || value[0] != MAGIC) {
            throw new DataException("value on " + targetTopic + " is not in the Confluent wire format "
                    + "(magic byte 0 and a 4-byte schema id); refusing to mirror it with a meaningless id");
        }
        int sourceId = ByteBuffer.wrap(value, 1, Integer.BYTES).getInt();
        int targetId = targetId(targetTopic + "-value", sourceId);
        byte[] translated = value.clone();
        ByteBuffer.wrap(translated, 1, Integer.BYTES).putInt(targetId);
        return translated;
    }

    /** The target registry's id of the source registry's schema {@code sourceId}, under {@code subject}. */
    int targetId(String subject, int sourceId) {
        return targetIds.computeIfAbsent(new SubjectId(subject, sourceId), key -> {
            Schema schema = call(() -> source.schemaById(sourceId), "fetch schema " + sourceId + " from the source registry");
            return call(() -> autoRegister ? target.register(subject, schema) : target.lookup(subject, schema),
                    (autoRegister ? "register" : "look up") + " source schema " + sourceId + " under " + subject
                            + " in the target registry");
        });
    }

    private interface RegistryCall<T> {
        T call();
    }

    private static <T> T call(RegistryCall<T> call, String what) {
        try {
            return call.call();
        } catch (SchemaRegistryException e) {
            if (isTransient(e)) {
                throw new RetriableException("could not " + what + ": " + e.getMessage(), e);
            }
            throw new DataException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    /** Unreachable, overloaded or failing registries come back; a 4xx answer will not change on retry. */
    private static boolean isTransient(SchemaRegistryException e) {
        return e.status() < 0 || e.status() >= 500 || e.status() == 408 || e.status() == 429;
    }
}
