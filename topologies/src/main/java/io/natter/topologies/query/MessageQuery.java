package io.natter.topologies.query;

/**
 * Which page of a room's history to read: after {@code afterSeq} ascending, or else the newest before
 * {@code beforeSeq} (the newest of all when both are absent); at most {@code limit} messages.
 */
public record MessageQuery(Long afterSeq, Long beforeSeq, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public MessageQuery {
        if (afterSeq != null && beforeSeq != null) {
            throw new QueryException.InvalidRequest("give afterSeq or beforeSeq, not both");
        }
        if (limit < 1) {
            throw new QueryException.InvalidRequest("limit must be at least 1, got " + limit);
        }
        limit = Math.min(limit, MAX_LIMIT);
    }

    /** The newest {@code limit} messages. */
    public static MessageQuery newest(int limit) {
        return new MessageQuery(null, null, limit);
    }

    /** Messages after {@code seq}. */
    public static MessageQuery after(long seq, int limit) {
        return new MessageQuery(seq, null, limit);
    }

    /** The newest messages before {@code seq}. */
    public static MessageQuery before(long seq, int limit) {
        return new MessageQuery(null, seq, limit);
    }

    /** Parses the query parameters; each may be {@code null}. */
    public static MessageQuery parse(String afterSeq, String beforeSeq, String limit) {
        return new MessageQuery(seq("afterSeq", afterSeq), seq("beforeSeq", beforeSeq),
                limit == null ? DEFAULT_LIMIT : (int) Math.min(number("limit", limit), Integer.MAX_VALUE));
    }

    /** The query string that asks a peer for the same page. */
    String toQueryString() {
        StringBuilder query = new StringBuilder("limit=").append(limit);
        if (afterSeq != null) {
            query.append("&afterSeq=").append(afterSeq);
        }
        if (beforeSeq != null) {
            query.append("&beforeSeq=").append(beforeSeq);
        }
        return query.toString();
    }

    private static Long seq(String name, String value) {
        if (value == null) {
            return null;
        }
        long seq = number(name, value);
        if (seq < 0) {
            throw new QueryException.InvalidRequest(name + " must not be negative, got " + seq);
        }
        return seq;
    }

    private static long number(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new QueryException.InvalidRequest(name + " must be an integer, got '" + value + "'");
        }
    }
}
