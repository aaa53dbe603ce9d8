package io.natter.bench;

/** A command line the load generator cannot run: the message says which option and why. */
final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
