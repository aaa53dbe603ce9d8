package io.natter.topologies.query;

/** A query the API answers with an error; {@link QueryServer} maps each kind to its status once. */
public abstract sealed class QueryException extends RuntimeException {
    private final String code;

    private QueryException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Stable error code of the JSON body. */
    public String code() {
        return code;
    }

    /** HTTP status of this kind of error. */
    public abstract int status();

    /** No such room: 404 {@code ROOM_NOT_FOUND}. */
    public static final class RoomNotFound extends QueryException {
        public RoomNotFound(String roomId) {
            super("ROOM_NOT_FOUND", "room " + roomId + " not found", null);
        }

        @Override
        public int status() {
            return 404;
        }
    }

    /** Rebalancing, restoring, or a peer unreachable: 503 {@code UNAVAILABLE}; the client retries. */
    public static final class Unavailable extends QueryException {
        public Unavailable(String message, Throwable cause) {
            super("UNAVAILABLE", message, cause);
        }

        @Override
        public int status() {
            return 503;
        }
    }

    /** A request this instance's state refuses (e.g. an operator call in single-region mode): 409 with its code. */
    public static final class Conflict extends QueryException {
        public Conflict(String code, String message) {
            super(code, message, null);
        }

        @Override
        public int status() {
            return 409;
        }
    }

    /** A malformed parameter: 400 {@code INVALID_REQUEST}. */
    public static final class InvalidRequest extends QueryException {
        public InvalidRequest(String message) {
            super("INVALID_REQUEST", message, null);
        }

        @Override
        public int status() {
            return 400;
        }
    }
}
