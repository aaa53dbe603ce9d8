package io.natter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The limits that cap how many connections one machine can hold: open files per process and ephemeral ports. */
record SystemLimits(long openFiles, int ephemeralLow, int ephemeralHigh) {
    private static final Pattern OPEN_FILES = Pattern.compile("(?m)^Max open files\\s+(\\S+)\\s+(\\S+)");

    /** Ports a client can use towards one server address and port. */
    int ephemeralPorts() {
        return ephemeralHigh - ephemeralLow + 1;
    }

    /** This process's soft open-files limit and the machine's ephemeral port range. */
    static SystemLimits ofThisProcess() throws IOException {
        int[] range = portRange(ProcText.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range")));
        return new SystemLimits(openFilesOf(ProcessHandle.current().pid()).orElse(Long.MAX_VALUE), range[0], range[1]);
    }

    /** The soft open-files limit of a process, if readable. */
    static OptionalLong openFilesOf(long pid) throws IOException {
        Path limits = Path.of("/proc", Long.toString(pid), "limits");
        return Files.isReadable(limits) ? OptionalLong.of(softOpenFiles(ProcText.read(limits))) : OptionalLong.empty();
    }

    /** The soft "Max open files" of a {@code /proc/<pid>/limits} text; "unlimited" is Long.MAX_VALUE. */
    static long softOpenFiles(String limits) {
        Matcher matcher = OPEN_FILES.matcher(limits);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no 'Max open files' line in limits");
        }
        return matcher.group(1).equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(matcher.group(1));
    }

    /** The two numbers of {@code ip_local_port_range}. */
    static int[] portRange(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("unexpected ip_local_port_range: " + text.strip());
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
