package io.natter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CPU time of a set of named processes and their descendants, from {@code /proc/<pid>/stat}: a descendant counts
 * towards its nearest named ancestor (the dev stack's JVM holds Kafka, S3 and starts Redis and Postgres).
 * Sampled every second so a process that exits keeps what it used; one that appears later starts from zero.
 */
final class ProcessCpu {
    /** CPU seconds and cores (CPU seconds per wall second) of one named process with its descendants. */
    record Usage(String name, double cpuSeconds, double cores) {}

    private final List<LoadOptions.NamedPid> roots;
    private final long ticksPerSecond;
    private final Map<Long, Long> first = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, String> owner = new HashMap<>();
    private long startNanos;
    private long endNanos;

    ProcessCpu(List<LoadOptions.NamedPid> roots, long ticksPerSecond) {
        this.roots = List.copyOf(roots);
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Begins the measured interval now. */
    synchronized void start() {
        first.clear();
        last.clear();
        startNanos = System.nanoTime();
        sampleLocked(true);
        endNanos = startNanos;
    }

    /** Takes a sample (call every second or so); the interval ends at the latest sample. */
    synchronized void sample() {
        sampleLocked(false);
        endNanos = System.nanoTime();
    }

    /** Usage per named process over the interval, in the order given. */
    synchronized List<Usage> usage() {
        double wallSeconds = Math.max(1e-9, (endNanos - startNanos) / 1e9);
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (LoadOptions.NamedPid root : roots) {
            ticks.put(root.name(), 0L);
        }
        for (Map.Entry<Long, Long> entry : last.entrySet()) {
            long used = entry.getValue() - first.getOrDefault(entry.getKey(), 0L);
            ticks.merge(owner.get(entry.getKey()), used, Long::sum);
        }
        List<Usage> usage = new ArrayList<>();
        ticks.forEach((name, used) -> {
            double seconds = (double) used / ticksPerSecond;
            usage.add(new Usage(name, seconds, seconds / wallSeconds));
        });
        return usage;
    }

    private void sampleLocked(boolean baseline) {
        Map<Long, String> named = new HashMap<>();
        for (LoadOptions.NamedPid root : roots) {
            named.put(root.pid(), root.name());
        }
        for (LoadOptions.NamedPid root : roots) {
            Optional<ProcessHandle> handle = ProcessHandle.of(root.pid());
            if (handle.isEmpty()) {
                continue;
            }
            record(root.pid(), root.name(), baseline);
            handle.get().descendants().forEach(child -> {
                if (!named.containsKey(child.pid())) {
                    record(child.pid(), nearestNamed(child, named).orElse(root.name()), baseline);
                }
            });
        }
    }

    private void record(long pid, String name, boolean baseline) {
        OptionalLong ticks = readTicks(pid);
        if (ticks.isEmpty()) {
            return;
        }
        owner.putIfAbsent(pid, name);
        if (baseline) {
            first.put(pid, ticks.getAsLong());
        }
        last.put(pid, ticks.getAsLong());
    }

    private static Optional<String> nearestNamed(ProcessHandle process, Map<Long, String> named) {
        Optional<ProcessHandle> parent = process.parent();
        while (parent.isPresent()) {
            String name = named.get(parent.get().pid());
            if (name != null) {
                return Optional.of(name);
            }
            parent = parent.get().parent();
        }
        return Optional.empty();
    }

    /** utime + stime of a live process, in clock ticks; empty if it is gone. */
    static OptionalLong readTicks(long pid) {
        try {
            return OptionalLong.of(ticksOf(ProcText.read(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException e) {
            // The process exited between listing and reading: it keeps its last sample.
            return OptionalLong.empty();
        }
    }

    /** utime + stime from one {@code /proc/<pid>/stat} line (fields 14 and 15; the name may hold spaces). */
    static long ticksOf(String statLine) {
        String[] fields = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split(" +");
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}); 100 on Linux when getconf cannot tell. */
    static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 && out.matches("\\d+") ? Long.parseLong(out) : 100;
        } catch (IOException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** The named processes of a dev stack: one per {@code <natterDir>/run/<name>.pid} whose process is alive. */
    static List<LoadOptions.NamedPid> devStackProcesses(Path natterDir) throws IOException {
        Path run = natterDir.resolve("run");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        List<LoadOptions.NamedPid> found = new ArrayList<>();
        try (var files = Files.list(run)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                String text = Files.readString(file).trim();
                if (!text.matches("\\d+")) {
                    continue;
                }
                long pid = Long.parseLong(text);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    found.add(new LoadOptions.NamedPid(file.getFileName().toString().replaceFirst("\\.pid$", ""),
                            pid));
                }
            }
        }
        return found;
    }
}
