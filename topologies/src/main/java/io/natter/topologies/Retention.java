package io.natter.topologies;

import java.time.Duration;

/**
 * How long the topology remembers things: sends for deduplication, and each room's history by count and age.
 *
 * @param dedupeWindow a repeated (senderId, clientMsgId) within this is a duplicate; zero turns deduplication off
 * @param historyMaxMessages newest messages kept per room
 * @param historyMaxAge messages older than this leave the history
 */
public record Retention(Duration dedupeWindow, int historyMaxMessages, Duration historyMaxAge) {

    /** The documented defaults: 24 h, 1000 messages, 7 days. */
    public static final Retention DEFAULT = new Retention(Duration.ofHours(24), 1000, Duration.ofDays(7));

    public Retention {
        if (dedupeWindow.isNegative() || historyMaxMessages < 1 || !historyMaxAge.isPositive()) {
            throw new IllegalArgumentException("invalid retention " + dedupeWindow + ", " + historyMaxMessages + ", "
                    + historyMaxAge);
        }
    }
}
