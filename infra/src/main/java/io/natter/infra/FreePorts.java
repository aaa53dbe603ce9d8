package io.natter.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Picks free TCP ports on 127.0.0.1 below the Linux ephemeral range, so outgoing connections never take them. */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    // Linux hands out ephemeral (client) ports from 32768 up; a server port there can be stolen before it binds.
    private static final int ABOVE_HIGHEST = 32_768;
    private static final int ATTEMPTS = 500;

    private FreePorts() {}

    /** Returns a port that could be bound on 127.0.0.1 just now. */
    public static int pick() {
        return pick(1).get(0);
    }

    /** Returns {@code count} distinct ports that could each be bound on 127.0.0.1 just now. */
    public static List<Integer> pick(int count) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (int attempt = 0; attempt < ATTEMPTS && ports.size() < count; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ABOVE_HIGHEST);
            if (!ports.contains(candidate) && isFree(candidate)) {
                ports.add(candidate);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("found only " + ports.size() + " of " + count + " free ports below "
                    + ABOVE_HIGHEST + " after " + ATTEMPTS + " attempts");
        }
        return List.copyOf(ports);
    }

    /** True when {@code port} can be bound on 127.0.0.1 right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // As servers do: a port whose last connections linger in TIME_WAIT is free for a new listener.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
