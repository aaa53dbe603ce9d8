package io.natter.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Which process listens on a TCP port: the socket's inode from {@code /proc/net/tcp{,6}}, then the pid whose fd links to it. */
final class ListeningProcess {
    private static final String LISTEN = "0A";

    private ListeningProcess() {}

    /** The pid listening on {@code port}, looking among {@code candidates} first, then every process. */
    static OptionalLong of(int port, List<Long> candidates) throws IOException {
        Optional<String> inode = Optional.empty();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (inode.isEmpty() && Files.isReadable(path)) {
                inode = listeningInode(ProcText.read(path), port);
            }
        }
        if (inode.isEmpty()) {
            return OptionalLong.empty();
        }
        String link = "socket:[" + inode.get() + "]";
        for (long pid : candidates) {
            if (holds(pid, link)) {
                return OptionalLong.of(pid);
            }
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (holds(pid, link)) {
                    return OptionalLong.of(pid);
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The inode of the socket in LISTEN state on {@code port} in a {@code /proc/net/tcp} table. */
    static Optional<String> listeningInode(String table, int port) {
        String hexPort = HexFormat.of().withUpperCase().toHexDigits((short) port);
        for (String line : table.lines().skip(1).toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 9 && fields[3].equals(LISTEN) && fields[1].endsWith(":" + hexPort)) {
                return Optional.of(fields[9]);
            }
        }
        return Optional.empty();
    }

    private static boolean holds(long pid, String link) {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                if (link.equals(readLink(fd))) {
                    return true;
                }
            }
        } catch (IOException e) {
            // Not ours to read, or gone: it is not the process we look for.
            return false;
        }
        return false;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            // The fd closed while we listed them.
            return "";
        }
    }
}
