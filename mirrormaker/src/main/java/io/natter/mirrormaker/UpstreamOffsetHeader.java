package io.natter.mirrormaker;

import io.natter.mirrormaker.client.UpstreamOffsets;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Connect transformation for MirrorMaker 2's source connector: stamps each mirrored record with its offset in the
 * source topic ({@link UpstreamOffsets#HEADER}), so {@code ReplicationWatcher} can tell exactly which source offsets
 * have reached the target. MirrorMaker's source offset is the record's {@code sourceOffset().get("offset")}.
 */
public final class UpstreamOffsetHeader implements Transformation<SourceRecord> {
    private static final String OFFSET_KEY = "offset";

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure.
    }

    @Override
    public SourceRecord apply(SourceRecord record) {
        Object offset = record.sourceOffset() == null ? null : record.sourceOffset().get(OFFSET_KEY);
        if (!(offset instanceof Number number)) {
            throw new DataException("record for " + record.topic() + " has no MirrorMaker source offset ("
                    + record.sourceOffset() + "); apply this transformation to MirrorSourceConnector records only");
        }
        Headers headers = record.headers().duplicate().remove(UpstreamOffsets.HEADER)
                .addBytes(UpstreamOffsets.HEADER, UpstreamOffsets.encode(number.longValue()));
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), record.value(), record.timestamp(), headers);
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void close() {
        // Holds nothing.
    }
}
