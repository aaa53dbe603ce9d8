package io.natter.topologies;

import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up what the judge needs, lets it decide, writes the room's stores and forwards the events;
 * wall-clock punctuators purge expired send receipts (a slice a second) and trim history by age.
 */
final class RoomCommandProcessor implements Processor<String, RoomCommand, String, SpecificRecord> {
    /** How often aged history is trimmed; lookups check expiry themselves, so this only frees space. */
    static final Duration HOUSEKEEPING_INTERVAL = Duration.ofMinutes(1);
    /**
     * How often a slice of the send receipts is checked for expiry, and how many per slice: the stream thread pauses
     * a few milliseconds a tick instead of a whole pass at once. A pass over N receipts takes N / 5,000 seconds, and
     * a new one starts at most every {@link #HOUSEKEEPING_INTERVAL}, so it costs no more CPU than the old purge.
     */
    static final Duration RECEIPT_PURGE_INTERVAL = Duration.ofSeconds(1);
    static final int RECEIPTS_PER_PURGE = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(RoomCommandProcessor.class);

    private final RoomCommandJudge judge;
    private final RoomEvents events;
    private final Retention retention;
    private final Clock clock;
    private final Regions regions;
    private final RegionFence fence;
    private ProcessorContext<String, SpecificRecord> context;
    private CachedRoomStates rooms;
    private SendReceipts receipts;
    private RoomHistory history;
    private RegionStatuses statuses;
    private RoomAttachments attachments;
    private KeyValueStore<String, Long> replicaOffsets;
    /** Key prefix, in the replica-offsets store, of the UP declaration (per peer) this task caught up with. */
    static final String CAUGHT_UP_KEY_PREFIX = "caught-up-with-up:";
    /** This task's view of the caught-up UPs above (the store is the truth across restarts; this saves the reads). */
    private final Map<String, Long> caughtUp = new HashMap<>();
    /** The peer fencing this task at its last command, for logging when a fence starts and ends. */
    private Optional<String> fencedBy = Optional.empty();

    RoomCommandProcessor(RoomCommandJudge judge, RoomEvents events, Retention retention, Clock clock, Regions regions,
                         RegionFence fence) {
        this.fence = fence;
        this.judge = judge;
        this.events = events;
        this.retention = retention;
        this.clock = clock;
        this.regions = regions;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        caughtUp.clear(); // a task re-initialized after an abort re-reads what its store kept
        // Single-region, this processor is the room states' only writer (multi-region, the replica processor is
        // another). A new cache per init: a task re-initialized after an abort starts from what its store kept.
        this.rooms = new CachedRoomStates(context.getStateStore(RoomTopology.ROOM_STATE_STORE),
                !regions.multiRegion());
        this.receipts = new SendReceipts(context.getStateStore(RoomTopology.SEND_RECEIPTS_STORE), retention);
        // Single-region, this processor is the history's only writer (multi-region, the replica processor is another).
        this.history = new RoomHistory(context.getStateStore(RoomTopology.HISTORY_STORE), retention,
                !regions.multiRegion());
        if (regions.multiRegion()) {
            this.statuses = new RegionStatuses(context.getStateStore(RoomTopology.REGION_STATUS_STORE));
            this.replicaOffsets = context.getStateStore(RoomTopology.REPLICA_OFFSETS_STORE);
        }
        this.attachments = new RoomAttachments(context.getStateStore(RoomTopology.ATTACHMENTS_STORE));
        context.schedule(HOUSEKEEPING_INTERVAL, PunctuationType.WALL_CLOCK_TIME, timestamp -> housekeep());
        context.schedule(RECEIPT_PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
                timestamp -> receipts.purgeSome(clock.instant(), RECEIPTS_PER_PURGE, HOUSEKEEPING_INTERVAL));
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
        if (regions.multiRegion()) {
            Route route = route(command, roomId, record, now);
            if (route == Route.LEAVE) {
                replicateAttachment(command, roomId, now);
            }
            if (route != Route.JUDGE) {
                return;
            }
        }
        // Judge first (pure), then write: an exception leaves neither state nor output behind.
        Outcome outcome = judge.judge(command, facts(command, roomId, now), now);
        var out = events.of(command, outcome, now);
        apply(outcome, now);
        // Streams gives outputs the command's timestamp, so the judging time travels in a header (./bench/hops).
        byte[] judgedAt = Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8);
        for (KeyValue<String, SpecificRecord> event : out) {
            // Each output gets its own copy of the incoming headers (W3C traceparent rides there).
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.remove(RoomTopology.JUDGED_AT_HEADER);
            headers.add(RoomTopology.JUDGED_AT_HEADER, judgedAt);
            context.forward(record.withKey(event.key).withValue(event.value).withHeaders(headers));
        }
    }

    /** Where a command goes: judged here, left to its home (or ignored), or refused by the fence (answered). */
    private enum Route { JUDGE, LEAVE, FENCED }

    /**
     * The home-region rules: a room homed here is judged whichever region's topic the command came from; a room
     * homed elsewhere is left to its home, unless that home is declared DOWN and the command was issued here, in
     * which case the room is first re-homed here (next epoch, seq continuing from the replica); an unknown room
     * is judged only by the region the command was issued in. Whatever would be judged here is first checked
     * against the {@link RegionFence}: fenced, a local command is refused and a mirrored one left to the peer.
     */
    private Route route(RoomCommand command, String roomId, Record<String, RoomCommand> record, Instant now) {
        boolean issuedHere = regions.local().equals(command.getRegion());
        RoomState room = rooms.get(roomId);
        if (room == null) {
            if (!issuedHere) {
                LOG.debug("ignoring mirrored command {} from {} for unknown room {}", command.getCommandId(),
                        command.getRegion(), roomId);
                return Route.LEAVE;
            }
            return admit(command, roomId, issuedHere, record, now);
        }
        String home = room.getHomeRegion();
        if (home.equals(regions.local())) {
            return admit(command, roomId, issuedHere, record, now);
        }
        if (!issuedHere || !statuses.isDown(home)) {
            return Route.LEAVE;
        }
        Route admitted = admit(command, roomId, issuedHere, record, now);
        if (admitted != Route.JUDGE) {
            return admitted;
        }
        RoomState moved = RoomCommandJudge.rehomed(room, regions.local());
        rooms.put(roomId, moved);
        KeyValue<String, SpecificRecord> event = events.failedOver(moved, home, now);
        context.forward(record.withKey(event.key).withValue(event.value)
                .withHeaders(new RecordHeaders(record.headers().toArray())));
        LOG.info("room {} failed over from {} (declared down) to {}: epoch {}, seq continues at {}", roomId, home,
                regions.local(), moved.getEpoch(), moved.getEpochFromSeq());
        return Route.JUDGE;
    }

    /**
     * JUDGE unless a peer fences this task's partition: then a command issued here is refused with
     * REGION_FENCED (nothing else is written) and a mirrored one is left to the peer that fences.
     */
    private Route admit(RoomCommand command, String roomId, boolean issuedHere, Record<String, RoomCommand> record,
                        Instant now) {
        int partition = context.recordMetadata().map(m -> m.partition()).orElse(-1);
        Optional<String> fencing = fence.fencedBy(partition, this::replicaOffset, this::caughtUpWith);
        if (!fencing.equals(fencedBy)) {
            if (fencing.isPresent()) {
                LOG.warn("partition {}: fence by {} holds; commands of rooms homed in {} are not judged here", partition,
                        fencing.get(), regions.local());
            } else {
                LOG.info("partition {}: fence by {} lifted (replica caught up)", partition, fencedBy.orElseThrow());
            }
            fencedBy = fencing;
        }
        if (fencing.isEmpty()) {
            rememberCaughtUp();
            return Route.JUDGE;
        }
        if (!issuedHere) {
            return Route.LEAVE;
        }
        String peer = fencing.get();
        Outcome refused = new Outcome.Rejected(RejectionCode.REGION_FENCED, "region " + regions.local()
                + " is fenced: " + peer + " declared it down; reconnect to " + peer
                + " and resend with the same clientMsgId");
        for (KeyValue<String, SpecificRecord> event : events.of(command, refused, now)) {
            context.forward(record.withKey(event.key).withValue(event.value)
                    .withHeaders(new RecordHeaders(record.headers().toArray())));
        }
        LOG.debug("refused command {} for room {}: fenced by {}", command.getCommandId(), roomId, peer);
        return Route.FENCED;
    }

    /**
     * Remembers, in the task's changelogged replica-offsets store, each UP this partition has caught up with: the
     * peer's UP stays in its compacted status topic, and without this every restart would fence the partition
     * again until the replica reached the peer's end offsets of that moment (forever, if MirrorMaker is down then).
     */
    private void rememberCaughtUp() {
        fence.forEachUp((peer, since) -> {
            if (caughtUpWith(peer) != since) {
                replicaOffsets.put(CAUGHT_UP_KEY_PREFIX + peer, since);
                caughtUp.put(peer, since);
            }
        });
    }

    /**
     * The UP declaration of {@code peer} (its time) this task last caught up with; -1 if none. Read from the store
     * once per peer, then kept here: once a region has failed back, every command asks, and the answer only changes
     * when this task writes it.
     */
    private long caughtUpWith(String peer) {
        return caughtUp.computeIfAbsent(peer, p -> {
            Long since = replicaOffsets.get(CAUGHT_UP_KEY_PREFIX + p);
            return since == null ? -1L : since;
        });
    }

    /** The upstream offset of the last mirrored membership record of {@code peer} this task applied; -1 if none. */
    private long replicaOffset(String peer) {
        Long offset = replicaOffsets.get(peer);
        return offset == null ? -1 : offset;
    }

    /**
     * Attachment registrations are commands, not events, so a replica learns them from the command itself (local
     * or mirrored): it applies the home's own verdict to its attachments store and emits nothing, so that after a
     * failover sends naming an attachment registered in the old home still find it.
     */
    private void replicateAttachment(RoomCommand command, String roomId, Instant now) {
        if (!(command.getPayload() instanceof RegisterAttachment || command.getPayload() instanceof RemoveAttachment)
                || rooms.get(roomId) == null) {
            return;
        }
        Outcome outcome = judge.judge(command, facts(command, roomId, now), now);
        if (outcome instanceof Outcome.AttachmentRegistered || outcome instanceof Outcome.AttachmentRemoved) {
            apply(outcome, now);
        }
    }

    private RoomFacts facts(RoomCommand command, String roomId, Instant now) {
        RoomState room = rooms.get(roomId);
        if (room == null) {
            return RoomFacts.of(null);
        }
        return switch (command.getPayload()) {
            case SendMessageRequested p -> {
                SendReceipt prior = receipts.find(roomId, command.getActorId(), p.getClientMsgId(), now);
                // Over the limit the send is refused whatever it names: no point reading the store for it.
                Map<String, AttachmentMetadata> named = p.getAttachmentIds().size() > RoomCommandJudge.MAX_ATTACHMENTS
                        ? Map.of() : attachments.find(roomId, p.getAttachmentIds());
                yield new RoomFacts(room, prior, null, named);
            }
            case RegisterAttachment p -> new RoomFacts(room, null, null,
                    attachments.find(roomId, List.of(p.getAttachment().getAttachmentId())));
            case EditMessageRequested p -> new RoomFacts(room, null,
                    history.find(roomId, p.getMessageId(), room.getLastSeq()));
            case DeleteMessageRequested p -> new RoomFacts(room, null,
                    history.find(roomId, p.getMessageId(), room.getLastSeq()));
            default -> RoomFacts.of(room);
        };
    }

    private void apply(Outcome outcome, Instant now) {
        switch (outcome) {
            case Outcome.Sent s -> {
                // History before the room state: a query reading the room and then its history concurrently (the
                // query API) must never see the new lastSeq without its message, or an empty history reads as
                // "everything trimmed" and a RESUME from 0 is refused HISTORY_TRUNCATED (seen by ProtocolFuzzIT).
                history.append(s.message(), now);
                rooms.put(s.state().getRoomId(), s.state());
                receipts.remember(s.message());
            }
            // Edits and deletes leave the room state (lastSeq included) as it is.
            case Outcome.Edited e -> history.replace(e.entry());
            case Outcome.Deleted d -> history.replace(d.entry());
            // Created, joined, left, re-homed: the new room state is the whole change.
            case Outcome.Accepted a -> rooms.put(a.state().getRoomId(), a.state());
            case Outcome.AttachmentRegistered r -> attachments.register(r.attachment());
            case Outcome.AttachmentRemoved r -> attachments.remove(r.roomId(), r.attachmentId());
            case Outcome.AttachmentAlreadyRegistered a -> { }
            case Outcome.Rejected r -> { }
            case Outcome.Duplicate d -> { }
        }
    }

    private void housekeep() {
        Instant now = clock.instant();
        List<KeyValue<String, Long>> lastSeqs = new ArrayList<>();
        try (KeyValueIterator<String, RoomState> it = rooms.all()) {
            it.forEachRemaining(room -> lastSeqs.add(KeyValue.pair(room.key, room.value.getLastSeq())));
        }
        history.trimAll(lastSeqs, now);
    }
}
