package io.natter.schemas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The value schema of every topic as last released, kept under {@code schemas/released/}, and the
 * tool that snapshots today's schemas there when a release is cut:
 * {@code ./mvnw -q -pl schemas test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.natter.schemas.ReleasedSchemas}.
 */
final class ReleasedSchemas {
    static final Path DIRECTORY = Path.of("released");

    private ReleasedSchemas() {}

    /** Today's value schema of each topic, by subject ({@code <topic>-value}). */
    static Map<String, Schema> current() {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Topic<String, ?> topic : topics.all()) {
            AvroSerde<?> serde = (AvroSerde<?>) topic.valueSerde();
            schemas.put(topic.name() + "-value", SpecificData.get().getSchema(serde.type()));
        }
        return schemas;
    }

    static Path fileOf(Path directory, String subject) {
        return directory.resolve(subject + ".avsc");
    }

    public static void main(String[] args) throws IOException {
        Path directory = args.length > 0 ? Path.of(args[0]) : DIRECTORY;
        Files.createDirectories(directory);
        for (Map.Entry<String, Schema> entry : current().entrySet()) {
            Files.writeString(fileOf(directory, entry.getKey()), entry.getValue().toString(true) + "\n");
        }
        System.out.println("wrote " + current().size() + " released schemas to " + directory.toAbsolutePath());
    }
}
