package io.natter.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * The build's compatibility gate: today's value schema of every topic must read data written with
 * its last released schema (BACKWARD, the mode the registry enforces), so consumers upgrade first.
 */
class SchemaEvolutionTest {

    private static Schema released(String subject) throws IOException {
        Path file = ReleasedSchemas.fileOf(ReleasedSchemas.DIRECTORY, subject);
        assertThat(file).as("released schema of %s (snapshot it when releasing a new topic)", subject).exists();
        return new Schema.Parser().parse(Files.readString(file));
    }

    private static SchemaCompatibilityType backward(Schema current, Schema released) {
        return SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType();
    }

    @Test
    void everyTopicSchemaReadsDataWrittenWithItsReleasedSchema() throws IOException {
        List<String> breaking = new ArrayList<>();
        for (Map.Entry<String, Schema> entry : ReleasedSchemas.current().entrySet()) {
            Schema released = released(entry.getKey());
            var result = SchemaCompatibility.checkReaderWriterCompatibility(entry.getValue(), released);
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                breaking.add(entry.getKey() + ": " + result.getResult().getIncompatibilities());
            }
        }
        assertThat(breaking).as("schema changes that break BACKWARD compatibility").isEmpty();
    }

    @Test
    void gateRefusesARequiredFieldAddedWithoutDefault() throws IOException {
        Schema released = released("chat.message.sent.v1-value");
        String json = released.toString();
        Schema withRequiredField = new Schema.Parser().parse(json.replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"tenantId\",\"type\":\"string\"},"));

        assertThat(backward(withRequiredField, released)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void gateAcceptsAnOptionalFieldWithDefault() throws IOException {
        Schema released = released("chat.message.sent.v1-value");
        Schema withOptionalField = new Schema.Parser().parse(released.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"tenantId\",\"type\":[\"null\",\"string\"],\"default\":null},"));

        assertThat(backward(withOptionalField, released)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
}
