package io.natter.mirrormaker;

import io.natter.schemas.ConfluentRegistryClient;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Connect transformation for MirrorMaker 2's source connector: rewrites each mirrored value's Confluent schema id
 * from the source region's registry id to the target region's, so readers in the target region decode mirrored
 * topics with their own registry ({@link SchemaIdMapping}). Keys pass untouched: Natter's keys are plain strings.
 *
 * <p>Written here because nothing on Maven Central does it: Confluent Replicator's schema translation is
 * proprietary, and MirrorMaker copies bytes. One registry shared by both regions would need no translation but
 * would take the surviving region down with the failed one.
 *
 * <p>Registry outages throw {@code RetriableException}, which Connect retries for {@code errors.retry.timeout}
 * (unbounded in Natter's configuration): replication pauses instead of dropping or mis-labelling records.
 */
public final class SchemaIdTranslator implements Transformation<SourceRecord> {
    /** Confluent API root of the registry that wrote the source records. */
    public static final String SOURCE_REGISTRY_URL = "source.registry.url";
    /** Confluent API root of the target region's registry. */
    public static final String TARGET_REGISTRY_URL = "target.registry.url";
    /** Whether to register a missing schema in the target registry (else it must be there already). */
    public static final String TARGET_AUTO_REGISTER = "target.auto.register";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(SOURCE_REGISTRY_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "Confluent API root of the source region's schema registry.")
            .define(TARGET_REGISTRY_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "Confluent API root of the target region's schema registry.")
            .define(TARGET_AUTO_REGISTER, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
                    "Register the source schema under the mirrored topic's subject in the target registry when it is "
                            + "missing; false for a governed registry where subjects are registered ahead.");

    private SchemaIdMapping mapping;

    /** For Connect, which configures the instance after creating it. */
    public SchemaIdTranslator() {}

    SchemaIdTranslator(SchemaIdMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        AbstractConfig config = new AbstractConfig(CONFIG, configs);
        mapping = new SchemaIdMapping(new ConfluentRegistryClient(config.getString(SOURCE_REGISTRY_URL)),
                new ConfluentRegistryClient(config.getString(TARGET_REGISTRY_URL)),
                config.getBoolean(TARGET_AUTO_REGISTER));
    }

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (record.value() == null) {
            return record;
        }
        if (!(record.value() instanceof byte[] value)) {
            throw new DataException("expected the raw bytes MirrorMaker copies, got "
                    + record.value().getClass().getName() + " on " + record.topic());
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), mapping.translate(record.topic(), value), record.timestamp(), record.headers());
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void close() {
        // The registry clients hold no resources beyond the JDK's shared HTTP client.
    }
}
