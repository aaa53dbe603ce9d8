package io.natter.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Processes a dev stack that was killed outright (kill -9, closed terminal) left running, found through pid files
 * under {@code .natter/}; they hold the fixed ports and the data dirs' locks, so the next start stops them first.
 */
final class LeftoverProcesses {
    /** Pid file name of the dev stack JVM itself. */
    static final String DEV_STACK = "devstack";

    /** A still-running process named by a pid file. */
    record Leftover(String name, ProcessHandle process) {}

    private LeftoverProcesses() {}

    /** Refuses to go on while another dev stack JVM on the same {@code .natter/} is alive. */
    static void refuseIfAnotherStackRuns(DevStackLayout layout) {
        alive(layout.pidFile(DEV_STACK), "java")
                .filter(process -> process.pid() != ProcessHandle.current().pid())
                .ifPresent(process -> {
                    throw new StartupException("a dev stack is already running on " + layout.root() + " (pid "
                            + process.pid() + "); stop it first (Ctrl-C in its terminal, or kill " + process.pid() + ")");
                });
    }

    /** Services first, then Postgres and Redis, the order they should be stopped in. */
    static List<Leftover> find(DevStackLayout layout) {
        List<Leftover> found = new ArrayList<>();
        if (Files.isDirectory(layout.run())) {
            try (Stream<Path> files = Files.list(layout.run())) {
                files.filter(file -> file.getFileName().toString().endsWith(".pid"))
                        .filter(file -> !file.equals(layout.pidFile(DEV_STACK)))
                        .sorted()
                        .forEach(file -> alive(file, "java").ifPresent(process -> found.add(new Leftover(
                                file.getFileName().toString().replaceFirst("\\.pid$", ""), process))));
            } catch (IOException e) {
                throw new StartupException("could not list " + layout.run(), e);
            }
        }
        alive(layout.postgres().resolve(PostgresServer.POSTMASTER_PID), "postgres")
                .ifPresent(process -> found.add(new Leftover("postgres", process)));
        alive(layout.redis().resolve(RedisServer.PID_FILE), "redis-server")
                .ifPresent(process -> found.add(new Leftover("redis", process)));
        return found;
    }

    /** Deletes the service pid files in {@code run/}; call once their processes are known to be gone. */
    static void forgetPidFiles(DevStackLayout layout) {
        if (!Files.isDirectory(layout.run())) {
            return;
        }
        try (Stream<Path> files = Files.list(layout.run())) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new StartupException("could not clear " + layout.run(), e);
        }
    }

    /** Asks each leftover to stop (SIGTERM), waits up to {@code grace} for each, then kills what is left. */
    static void stop(List<Leftover> leftovers, Duration grace) {
        for (Leftover leftover : leftovers) {
            leftover.process().destroy();
            try {
                leftover.process().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                leftover.process().destroyForcibly();
                leftover.process().onExit().orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS)
                        .exceptionally(failure -> leftover.process()).join();
            }
        }
    }

    /** The live process named in {@code pidFile}, if its executable's path contains {@code executable}. */
    private static Optional<ProcessHandle> alive(Path pidFile, String executable) {
        // Checking the executable keeps a recycled pid belonging to something else from being killed.
        return PidFile.read(pidFile)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().map(command -> command.contains(executable)).orElse(false));
    }
}
