package io.natter.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory of a JVM process: resident set from {@code /proc/<pid>/status}, live heap from {@code jcmd} after a full GC. */
final class ProcessMemory {
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");
    /** A heap line (not indented: G1's one line, or ParallelGC's young and old generations) and its used size. */
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\S[^\\n]*?used (\\d+)K");

    /** One reading: RSS and heap used after GC, in bytes. */
    record Reading(long rssBytes, long heapAfterGcBytes) {}

    private final Path jcmd;

    ProcessMemory(Path jcmd) {
        this.jcmd = jcmd;
    }

    /** The jcmd of the JDK running this generator (same JDK as the stack, via ./bench/load's JAVA_HOME). */
    static ProcessMemory withThisJdk() {
        return new ProcessMemory(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
    }

    /** Two full GCs (so what is left is live), then heap used and RSS. */
    Reading read(long pid) throws IOException, InterruptedException {
        run(pid, "GC.run");
        run(pid, "GC.run");
        long heap = heapUsedBytes(run(pid, "GC.heap_info"));
        long rss = rssBytes(ProcText.read(Path.of("/proc", Long.toString(pid), "status")));
        return new Reading(rss, heap);
    }

    private String run(long pid, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
        }
        return out;
    }

    /** VmRSS of a {@code /proc/<pid>/status} text, in bytes. */
    static long rssBytes(String status) {
        Matcher matcher = VM_RSS.matcher(status);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no VmRSS line in /proc status");
        }
        return Long.parseLong(matcher.group(1)) * 1024;
    }

    /**
     * Heap used of {@code jcmd <pid> GC.heap_info} output, in bytes: the sum of its unindented lines' "used NK" (G1
     * prints the whole heap on one; ParallelGC a young and an old generation line; indented lines are their parts
     * and Metaspace, which is not heap).
     */
    static long heapUsedBytes(String heapInfo) {
        Matcher matcher = HEAP_USED.matcher(heapInfo);
        long usedKiB = 0;
        boolean found = false;
        while (matcher.find()) {
            usedKiB += Long.parseLong(matcher.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("no heap line with 'used NK' in GC.heap_info output: "
                    + heapInfo.strip());
        }
        return usedKiB * 1024;
    }
}
