package io.natter.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for {@code TopologyTestDriver} tests and tools that need no shared ids.
 * It enforces no compatibility rule: integration tests use a real registry for that.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, List<Integer>> idsBySubject = new ConcurrentHashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        int id = schemas.indexOf(schema);
        if (id < 0) {
            schemas.add(schema);
            id = schemas.size() - 1;
        }
        List<Integer> versions = idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        int id = schemas.indexOf(schema);
        if (id < 0 || !idsBySubject.getOrDefault(subject, List.of()).contains(id)) {
            throw new SchemaRegistryException("schema not registered under " + subject, 404, 40403);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 0 || id >= schemas.size()) {
            throw new SchemaRegistryException("no schema with id " + id, 404, 40403);
        }
        return schemas.get(id);
    }
}
