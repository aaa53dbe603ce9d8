package io.natter.schemas;

import org.apache.avro.Schema;

/** The part of the Confluent Schema Registry API that Natter's serde needs. */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} if it is already registered under {@code subject}; refuses otherwise. */
    int lookup(String subject, Schema schema);

    /** Returns the schema with global id {@code id}. */
    Schema schemaById(int id);
}
