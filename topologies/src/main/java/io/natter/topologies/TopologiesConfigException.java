package io.natter.topologies;

/** An environment variable of the topologies service has a value it cannot use. */
public final class TopologiesConfigException extends RuntimeException {
    public TopologiesConfigException(String message) {
        super(message);
    }
}
