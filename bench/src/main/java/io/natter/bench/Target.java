package io.natter.bench;

import java.net.URI;
import java.util.List;

/** The stack a run drives: edges to connect to, where tokens come from, and which processes are the servers. */
interface Target extends AutoCloseable {

    /** WebSocket URLs of the edges; client i uses {@code edges().get(i % size)}. */
    List<URI> edges();

    /** Base URL of the REST API (the first edge). */
    default URI restBase() {
        return LoadOptions.restBase(edges().getFirst());
    }

    TokenSource tokens();

    /** The server processes whose CPU is reported (each with its descendants). */
    List<LoadOptions.NamedPid> serverProcesses();

    /** True when the generator runs inside a server process, so its own CPU is part of the server figure. */
    boolean sharesJvmWithServers();

    /** One line saying what this is, for the report. */
    String description();

    @Override
    void close();
}
