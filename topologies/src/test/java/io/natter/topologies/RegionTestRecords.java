package io.natter.topologies;

import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RegionStatusDeclared;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Records and constants the two-region topology tests (region {@code us}, peer {@code eu}) build their input from. */
final class RegionTestRecords {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String US = "us";
    static final String EU = "eu";
    static final Origin US_EDGE = new Origin("edge-us-1", "s-us");
    static final Origin EU_EDGE = new Origin("edge-eu-1", "s-eu");
    static final Retention RETENTION = new Retention(Duration.ofHours(1), 100, Duration.ofDays(1));

    private RegionTestRecords() {}

    static RoomCommand command(String commandId, String actor, String region, Origin origin, Object payload) {
        return new RoomCommand("chat.command.v1", "ev-" + commandId, NOW, region, Envelopes.SCHEMA_VERSION, commandId,
                actor, origin, payload);
    }

    static SendMessageRequested send(String roomId, String content, String clientMsgId) {
        return new SendMessageRequested(roomId, content, clientMsgId, List.of());
    }

    static CommandRejected rejectedEvent(String eventId, Rejection rejection) {
        return new CommandRejected("chat.message.rejected.v1", eventId, NOW, US, Envelopes.SCHEMA_VERSION, rejection);
    }

    /** An operator's declaration, as written to {@code chat.region.status.v1} in region us. */
    static RegionStatus regionStatus(String region, RegionAvailability status) {
        return new RegionStatus("chat.region.status.v1", "st-" + region + "-" + status, NOW, US,
                Envelopes.SCHEMA_VERSION, new RegionStatusDeclared(region, status, "ops", null));
    }
}
