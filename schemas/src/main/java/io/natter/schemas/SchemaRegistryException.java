package io.natter.schemas;

/** A schema registry refused a request or could not be reached. */
public final class SchemaRegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
        this.errorCode = -1;
    }

    /** HTTP status the registry answered, or -1 when it could not be reached. */
    public int status() {
        return status;
    }

    /** Confluent {@code error_code} from the body (e.g. 409 for incompatible, 40401 subject not found), or -1. */
    public int errorCode() {
        return errorCode;
    }
}
