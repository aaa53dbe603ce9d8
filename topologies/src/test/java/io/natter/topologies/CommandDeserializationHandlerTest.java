package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.SchemaRegistryException;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class CommandDeserializationHandlerTest {

    @Test
    void treatsUnreachableOrFailingRegistryAsPassingFault() {
        assertThat(CommandDeserializationHandler.registryUnavailable(new SerializationException("cannot fetch",
                new SchemaRegistryException("unreachable", new IOException("connection refused"))))).isTrue();
        assertThat(CommandDeserializationHandler.registryUnavailable(new SerializationException("cannot fetch",
                new SchemaRegistryException("registry answered 503", 503, -1)))).isTrue();
    }

    @Test
    void treatsBadBytesAndUnknownSchemasAsPoison() {
        assertThat(CommandDeserializationHandler.registryUnavailable(new SerializationException("not wire format")))
                .isFalse();
        assertThat(CommandDeserializationHandler.registryUnavailable(new SerializationException("cannot fetch",
                new SchemaRegistryException("no schema with id 7", 404, 40403)))).isFalse();
    }
}
