package io.natter.schemas;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Fills the shared envelope fields ({@code eventId}, {@code occurredAt}, {@code region}) of the
 * events one process writes, so every producer stamps them the same way.
 */
public record Envelopes(String region, Clock clock) {
    /** Schema version written into every event of this release. */
    public static final int SCHEMA_VERSION = 1;

    public static Envelopes systemClock(String region) {
        return new Envelopes(region, Clock.systemUTC());
    }

    public String newEventId() {
        return UUID.randomUUID().toString();
    }

    public Instant now() {
        return clock.instant();
    }
}
