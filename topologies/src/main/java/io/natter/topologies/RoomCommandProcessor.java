package io.natter.topologies;

import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomState;
import java.time.Clock;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the room's state, lets the judge decide, stores the new state and forwards the events. */
final class RoomCommandProcessor implements Processor<String, RoomCommand, String, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(RoomCommandProcessor.class);

    private final RoomCommandJudge judge;
    private final RoomEvents events;
    private final Clock clock;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, RoomState> rooms;

    RoomCommandProcessor(RoomCommandJudge judge, RoomEvents events, Clock clock) {
        this.judge = judge;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.rooms = context.getStateStore(RoomTopology.ROOM_STATE_STORE);
    }

    @Override
    public void process(Record<String, RoomCommand> record) {
        RoomCommand command = record.value();
        if (command == null) {
            // A tombstone is no command; nothing to answer.
            LOG.warn("ignoring null command with key {}", record.key());
            return;
        }
        String roomId = RoomCommandJudge.roomIdOf(command);
        Instant now = clock.instant();
        // Judge first (pure), then write: an exception leaves neither state nor output behind.
        Outcome outcome = judge.judge(command, rooms.get(roomId), now);
        var out = events.of(command, outcome, now);
        if (outcome instanceof Outcome.Accepted accepted) {
            rooms.put(roomId, accepted.state());
        }
        for (KeyValue<String, SpecificRecord> event : out) {
            // Each output gets its own copy of the incoming headers (W3C traceparent rides there).
            context.forward(record.withKey(event.key).withValue(event.value)
                    .withHeaders(new RecordHeaders(record.headers().toArray())));
        }
    }
}
