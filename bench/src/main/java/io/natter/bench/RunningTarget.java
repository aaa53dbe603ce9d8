package io.natter.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** A stack started elsewhere ({@code ./natter dev}), reached through its edges' URLs. */
record RunningTarget(List<URI> edges, TokenSource tokens, List<LoadOptions.NamedPid> serverProcesses,
        String description) implements Target {

    /** From the options: the edges given, the tokens asked for, the pids given or found in the dev stack's run dir. */
    static RunningTarget of(LoadOptions options, Path workDir) {
        List<LoadOptions.NamedPid> pids;
        try {
            pids = options.serverPids().isEmpty()
                    ? ProcessCpu.devStackProcesses(workDir.resolve(options.natterDir()))
                    : options.serverPids();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + options.natterDir().resolve("run"), e);
        }
        return new RunningTarget(options.edges(), TokenSource.of(options.tokens(), options.tokenTtl(), workDir), pids,
                "running stack " + options.edges());
    }

    @Override
    public boolean sharesJvmWithServers() {
        return false;
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
