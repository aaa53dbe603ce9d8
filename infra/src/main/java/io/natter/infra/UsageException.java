package io.natter.infra;

/** The command line of {@code ./natter dev} could not be understood. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
