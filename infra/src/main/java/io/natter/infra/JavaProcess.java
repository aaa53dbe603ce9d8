package io.natter.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A child JVM started with this JVM's own {@code java}, its stdout and stderr appended to one log file. */
public final class JavaProcess implements AutoCloseable {
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final Path logFile;

    private JavaProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code java <arguments>} in {@code workDir} with {@code extraEnv} added to this JVM's environment.
     *
     * @param name a short label for messages, e.g. {@code edge-1}
     */
    public static JavaProcess start(String name, List<String> arguments, Map<String, String> extraEnv, Path workDir,
            Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(extraEnv);
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            return new JavaProcess(name, builder.start(), logFile);
        } catch (IOException e) {
            throw new StartupException("could not start " + name + " (" + String.join(" ", command) + ")", e);
        }
    }

    /** The {@code java} launcher of the running JVM, so children run on the same JDK. */
    public static Path javaExecutable() {
        return ProcessHandle.current().info().command()
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process has ended, with the process (for its exit value). */
    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Asks the process and its descendants to stop (SIGTERM), waits up to {@code grace}, then kills what is left. */
    public void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!waitFor(grace)) {
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            waitFor(grace);
        }
        descendants.forEach(handle -> handle.onExit().orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(failure -> handle)
                .join());
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the process with a 15 s grace period. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + logFile + ": " + e.getMessage() + ")";
        }
    }
}
