package io.natter.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the Natter repository root (the directory holding {@code infra/pom.xml}) from a starting directory. */
final class RepoRoot {
    private RepoRoot() {}

    /** Walks up from {@code start} to the first directory that contains {@code infra/pom.xml}. */
    static Optional<Path> find(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("infra").resolve("pom.xml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** The repository root above the working directory; fails clearly when run elsewhere. */
    static Path fromWorkingDirectory() {
        Path cwd = Path.of("").toAbsolutePath();
        return find(cwd).orElseThrow(() -> new StartupException(
                "not inside a Natter checkout (no infra/pom.xml above " + cwd + "); run from the repository"));
    }
}
