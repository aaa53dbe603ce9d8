package io.natter.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads and writes pid files: the process id on the first line (Postgres and Redis put more lines after it). */
final class PidFile {
    private PidFile() {}

    /** The pid on the first line of {@code file}, or empty when the file is missing or does not start with a number. */
    static Optional<Long> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void write(Path file, long pid) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pid + System.lineSeparator());
        } catch (IOException e) {
            throw new StartupException("could not write pid file " + file, e);
        }
    }
}
