package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.mirrormaker.client.UpstreamOffsets;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class UpstreamOffsetHeaderTest {
    private final UpstreamOffsetHeader transform = new UpstreamOffsetHeader();

    @Test
    void stampsTheSourceOffsetAndKeepsTheOtherHeaders() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("traceparent", "00-abc");
        // A stale stamp (say, from a hand-copied record) is replaced, never duplicated.
        headers.addBytes(UpstreamOffsets.HEADER, UpstreamOffsets.encode(3));

        SourceRecord stamped = transform.apply(record(Map.of("offset", 1234567890123L), headers));

        List<String> names = StreamSupport.stream(stamped.headers().spliterator(), false).map(Header::key).toList();
        assertThat(names).containsExactly("traceparent", UpstreamOffsets.HEADER);
        RecordHeaders kafkaHeaders = new RecordHeaders();
        kafkaHeaders.add(UpstreamOffsets.HEADER, (byte[]) stamped.headers().lastWithName(UpstreamOffsets.HEADER).value());
        assertThat(UpstreamOffsets.decode(kafkaHeaders)).hasValue(1234567890123L);
        assertThat(headers.size()).as("the input record's headers are left alone").isEqualTo(2);
        assertThat(stamped.value()).isEqualTo(new byte[] {0, 1});
        assertThat(stamped.kafkaPartition()).isEqualTo(1);
    }

    @Test
    void refusesRecordsWithoutAMirrorMakerSourceOffset() {
        assertThatThrownBy(() -> transform.apply(record(Map.of("other", 1), new ConnectHeaders())))
                .isInstanceOf(DataException.class).hasMessageContaining("MirrorSourceConnector records only");
    }

    @Test
    void decodingIgnoresAMissingOrMalformedHeader() {
        RecordHeaders none = new RecordHeaders();
        RecordHeaders malformed = new RecordHeaders();
        malformed.add(UpstreamOffsets.HEADER, new byte[] {1, 2});

        assertThat(UpstreamOffsets.decode(none)).isEmpty();
        assertThat(UpstreamOffsets.decode(malformed)).isEmpty();
    }

    private static SourceRecord record(Map<String, ?> sourceOffset, ConnectHeaders headers) {
        return new SourceRecord(Map.of("cluster", "us"), sourceOffset, "us.chat.fanout.v1", 1,
                Schema.OPTIONAL_BYTES_SCHEMA, null, Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {0, 1}, 5L, headers);
    }
}
