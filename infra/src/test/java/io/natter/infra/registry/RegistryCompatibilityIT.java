package io.natter.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.ConfluentRegistryClient;
import io.natter.schemas.SchemaRegistryException;
import io.natter.schemas.avro.ChatMessageSent;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The registry the dev stack runs enforces BACKWARD compatibility on Natter's subjects. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RegistryCompatibilityIT {
    private static final String SUBJECT = "chat.message.sent.v1-value";

    @TempDir
    static Path dataDir;

    private static SchemaRegistryServer registry;
    private static ConfluentRegistryClient client;

    @BeforeAll
    static void start() {
        registry = SchemaRegistryServer.start(dataDir, 0);
        client = new ConfluentRegistryClient(registry.url());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static Schema withExtraField(String fieldJson) {
        return new Schema.Parser().parse(ChatMessageSent.getClassSchema().toString()
                .replaceFirst("\"fields\":\\[", "\"fields\":[" + fieldJson + ","));
    }

    @Test
    void refusesAnIncompatibleChangeAndAcceptsACompatibleOne() {
        int first = client.register(SUBJECT, ChatMessageSent.getClassSchema());
        assertThat(client.lookup(SUBJECT, ChatMessageSent.getClassSchema())).isEqualTo(first);
        assertThat(client.schemaById(first)).isEqualTo(ChatMessageSent.getClassSchema());

        // A new required field without default cannot read old data: BACKWARD says no.
        Schema breaking = withExtraField("{\"name\":\"tenantId\",\"type\":\"string\"}");
        assertThatThrownBy(() -> client.register(SUBJECT, breaking))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409));

        Schema compatible = withExtraField("{\"name\":\"tenantId\",\"type\":[\"null\",\"string\"],\"default\":null}");
        int second = client.register(SUBJECT, compatible);
        assertThat(second).isNotEqualTo(first);
        assertThat(new ConfluentRegistryClient(registry.url()).schemaById(second)).isEqualTo(compatible);
    }

    @Test
    void lookupOfAnUnregisteredSchemaIsRefused() {
        assertThatThrownBy(() -> client.lookup("chat.unknown.v1-value", ChatMessageSent.getClassSchema()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}
