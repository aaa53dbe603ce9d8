package io.natter.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the dev stack keeps its data, logs and pid files: everything under {@code <repo>/.natter/}. */
public record DevStackLayout(Path root) {

    public static DevStackLayout under(Path repoRoot) {
        return new DevStackLayout(repoRoot.toAbsolutePath().normalize().resolve(".natter"));
    }

    public Path kafka() {
        return root.resolve("kafka");
    }

    public Path registry() {
        return root.resolve("registry");
    }

    public Path redis() {
        return root.resolve("redis");
    }

    public Path postgres() {
        return root.resolve("postgres");
    }

    public Path objectStore() {
        return root.resolve("s3");
    }

    /** The data of one region of a two-region stack ({@code .natter/regions/<r>/}); logs and pids stay at the root. */
    public DevStackLayout region(String name) {
        return new DevStackLayout(root.resolve("regions").resolve(name));
    }

    /** Kafka Streams state of the {@code n}th topologies process. */
    public Path topologyState(int n) {
        return root.resolve("state").resolve("topologies-" + n);
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path log(String name) {
        return logs().resolve(name + ".log");
    }

    public Path run() {
        return root.resolve("run");
    }

    public Path pidFile(String name) {
        return run().resolve(name + ".pid");
    }

    /** Deletes everything under {@link #root()}. */
    public void delete() {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new StartupException("could not delete " + root, e);
        }
    }

    /** Creates the directories every component expects. */
    public void create() {
        try {
            for (Path dir : new Path[] {kafka(), registry(), redis(), postgres(), objectStore(), root.resolve("state"),
                    logs(), run()}) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new StartupException("could not create " + root, e);
        }
    }
}
