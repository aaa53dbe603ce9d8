package io.natter.edge.session;

import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.error.HistoryTruncatedException;
import io.natter.edge.error.UnavailableException;
import io.natter.edge.frames.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's delivery cursor for one room: every seq in {@code floor..cursor} was delivered, in order.
 * A live message is delivered only when its seq is {@code cursor + 1}; one at or below the cursor is a
 * duplicate and dropped; one above waits while the gap before it is read from history. While a RESUME
 * replay or a gap fill runs, live items wait and history pages advance the cursor.
 * Pure and not thread-safe: {@link RoomStreams} serializes the calls and sends the frames they return.
 */
public final class RoomCursor {
    private static final long UNSET = -1;

    /** Something to deliver: a message occupying a seq, or an update (edit, delete) of the message at a seq. */
    public sealed interface Item {
        long seq();

        ServerFrame frame();
    }

    /** A message (or a replayed deletion) that occupies {@code seq} of the room's sequence. */
    public record Sequenced(long seq, ServerFrame frame) implements Item {}

    /** An edit or deletion of the message at {@code seq}; sent after that message, never before it. */
    public record Update(long seq, ServerFrame frame) implements Item {}

    /** Read up to {@code limit} history messages after {@code afterSeq}; {@code epoch} names the read. */
    public record Fetch(long epoch, long afterSeq, int limit) {}

    /** History {@code afterSeq < seq <= untilSeq} that a RESUME asked for after live delivery already began. */
    public record Backfill(long afterSeq, long untilSeq) {}

    /** The frames to send now, in order, and the reads to run next (null when none). */
    public record Step(List<ServerFrame> frames, Fetch fetch, Backfill backfill) {
        static Step of(List<ServerFrame> frames, Fetch fetch) {
            return new Step(List.copyOf(frames), fetch, null);
        }
    }

    /** A seq waiting for delivery: its message (null until known) and updates that must follow it. */
    private static final class Slot {
        private ServerFrame message;
        private final List<ServerFrame> updates = new ArrayList<>();
    }

    private final String roomId;
    private final int pageSize;
    private final TreeMap<Long, Slot> pending = new TreeMap<>();
    private long floor = UNSET;
    private long cursor = UNSET;
    private long epoch;
    // The room epoch (failover generation) this session was last told about; -1 before any.
    private int roomEpoch = -1;
    private boolean fetching;
    // A replay reads until history ends; a gap fill only until the gap closes.
    private boolean replaying;
    // A RESUME is being checked before any live delivery: hold live items rather than start at the first.
    private boolean held;

    public RoomCursor(String roomId, int pageSize) {
        this.roomId = roomId;
        this.pageSize = pageSize;
    }

    /**
     * A live item of the room's {@code itemEpoch}: an item of an older epoch than the session knows was superseded
     * and is dropped; a newer epoch is announced first with an EPOCH frame ({@link #epochChanged}).
     */
    public Step live(Item item, int itemEpoch, long epochFromSeq) {
        if (itemEpoch < roomEpoch) {
            return Step.of(List.of(), null);
        }
        Step announced = epochChanged(itemEpoch, epochFromSeq);
        Step step = live(item);
        if (announced.frames().isEmpty()) {
            return step;
        }
        List<ServerFrame> out = new ArrayList<>(announced.frames());
        out.addAll(step.frames());
        return new Step(List.copyOf(out), step.fetch(), step.backfill());
    }

    /**
     * The room runs under {@code newEpoch} from seq {@code fromSeq}: the first time this session learns it (not for
     * the first epoch it sees at all, unless that is above 0), it gets EPOCH; seqs it was given at or after
     * {@code fromSeq} under the older epoch are superseded, so delivery goes back to {@code fromSeq}.
     */
    public Step epochChanged(int newEpoch, long fromSeq) {
        if (newEpoch <= roomEpoch) {
            return Step.of(List.of(), null);
        }
        // Only a change within this session is news; a RESUME compares with the client's own epoch instead.
        boolean announce = roomEpoch >= 0;
        roomEpoch = newEpoch;
        if (!announce) {
            return Step.of(List.of(), null);
        }
        if (cursor != UNSET && cursor >= fromSeq) {
            cursor = fromSeq - 1;
            floor = Math.min(floor, fromSeq);
        }
        // Waiting items at or after fromSeq belong to the older epoch: the new epoch's come live or from history.
        pending.tailMap(fromSeq, true).clear();
        return Step.of(List.of(new ServerFrame.Epoch(roomId, newEpoch, fromSeq)), null);
    }

    /** A live item from the fan-out (epoch unchecked). */
    public Step live(Item item) {
        List<ServerFrame> out = new ArrayList<>();
        switch (item) {
            case Update update -> {
                if (cursor == UNSET && held) {
                    slot(update.seq()).updates.add(update.frame());
                    return Step.of(out, null);
                }
                if (cursor == UNSET || update.seq() <= cursor) {
                    return Step.of(List.of(update.frame()), null);
                }
                slot(update.seq()).updates.add(update.frame());
            }
            case Sequenced message -> {
                if (cursor == UNSET && held) {
                    Slot slot = slot(message.seq());
                    if (slot.message == null) {
                        slot.message = message.frame();
                    }
                    return Step.of(out, null);
                }
                if (cursor == UNSET) {
                    // No RESUME for this room: delivery starts at the first live message seen.
                    floor = message.seq();
                    cursor = message.seq() - 1;
                }
                if (message.seq() <= cursor) {
                    return Step.of(List.of(), null);
                }
                Slot slot = slot(message.seq());
                if (slot.message == null) {
                    slot.message = message.frame();
                }
            }
        }
        if (fetching) {
            return Step.of(out, null);
        }
        drain(out);
        return Step.of(out, startGapFill());
    }

    /**
     * A RESUME for this room arrived and is being checked: until {@link #resume} or {@link #cancelResume},
     * live items wait instead of starting delivery at the first one, so they cannot overtake the replay.
     */
    public Step expectResume() {
        if (cursor == UNSET) {
            held = true;
        }
        return Step.of(List.of(), null);
    }

    /** The expected RESUME was refused: deliver what waited as if no RESUME had come. */
    public Step cancelResume() {
        if (!held) {
            return Step.of(List.of(), null);
        }
        held = false;
        List<ServerFrame> out = new ArrayList<>();
        while (!pending.isEmpty() && pending.firstEntry().getValue().message == null) {
            out.addAll(pending.pollFirstEntry().getValue().updates);
        }
        if (pending.isEmpty()) {
            return Step.of(out, null);
        }
        floor = pending.firstKey();
        cursor = floor - 1;
        drain(out);
        return Step.of(out, startGapFill());
    }

    /**
     * The client has everything up to {@code lastSeq} (already checked against the room's retained history).
     * Before any live delivery: replay from history, holding live items back. If live delivery already ran
     * ahead of it, the missing earlier seqs come as a {@link Backfill}, after the live ones already sent.
     */
    public Step resume(long lastSeq) {
        held = false;
        if (cursor == UNSET) {
            floor = lastSeq + 1;
            cursor = lastSeq;
            fetching = true;
            replaying = true;
            epoch++;
            // Items held while the RESUME was checked: updates of messages the client has go now.
            List<ServerFrame> out = new ArrayList<>();
            drain(out);
            return Step.of(out, new Fetch(epoch, cursor, pageSize));
        }
        if (lastSeq < floor - 1) {
            Backfill backfill = new Backfill(lastSeq, floor - 1);
            floor = lastSeq + 1;
            return new Step(List.of(), null, backfill);
        }
        List<ServerFrame> out = new ArrayList<>();
        if (lastSeq > cursor) {
            cursor = lastSeq;
            if (!fetching) {
                drain(out);
                return Step.of(out, startGapFill());
            }
        }
        return Step.of(out, null);
    }

    /**
     * A RESUME from {@code lastSeq} of the client's {@code clientEpoch} (null = the room's current one), the room now
     * being at {@code currentEpoch} since {@code epochFromSeq}: when the client's epoch is older it gets EPOCH first,
     * and the replay starts at {@code epochFromSeq} (its seqs from there on were superseded).
     */
    public Step resume(long lastSeq, Integer clientEpoch, int currentEpoch, long epochFromSeq) {
        List<ServerFrame> out = new ArrayList<>();
        long from = lastSeq;
        if (clientEpoch != null && clientEpoch < currentEpoch) {
            out.add(new ServerFrame.Epoch(roomId, currentEpoch, epochFromSeq));
            from = Math.min(lastSeq, epochFromSeq - 1);
        }
        roomEpoch = Math.max(roomEpoch, currentEpoch);
        Step step = resume(from);
        if (out.isEmpty()) {
            return step;
        }
        out.addAll(step.frames());
        return new Step(List.copyOf(out), step.fetch(), step.backfill());
    }

    /** A page read for fetch {@code fetchEpoch}: {@code messages} ascending, {@code oldestSeq} of the room. */
    public Step fetched(long fetchEpoch, List<Sequenced> messages, boolean hasMore, long oldestSeq) {
        if (!fetching || fetchEpoch != epoch) {
            return Step.of(List.of(), null);
        }
        List<ServerFrame> out = new ArrayList<>();
        for (Sequenced message : messages) {
            if (message.seq() <= cursor) {
                continue;
            }
            if (message.seq() > cursor + 1) {
                // Trimmed between the room check and this read: say so, and go on from what history has.
                out.add(ErrorMapper.frameOf(new HistoryTruncatedException(roomId, cursor, oldestSeq), roomId));
                cursor = message.seq() - 1;
            }
            out.add(message.frame());
            cursor = message.seq();
            Slot slot = pending.remove(message.seq());
            if (slot != null) {
                out.addAll(slot.updates);
            }
        }
        drain(out);
        boolean more = hasMore && !messages.isEmpty();
        if (more && (replaying || !pending.isEmpty())) {
            return Step.of(out, new Fetch(epoch, cursor, limit()));
        }
        if (!pending.isEmpty()) {
            EdgeException cause = oldestSeq > cursor + 1
                    ? new HistoryTruncatedException(roomId, cursor, oldestSeq)
                    : new UnavailableException("room " + roomId + " history lacks the messages after seq " + cursor
                            + "; RESUME from " + cursor + " to retry");
            out.add(ErrorMapper.frameOf(cause, roomId));
            skipGap(out);
        }
        fetching = false;
        replaying = false;
        return Step.of(out, startGapFill());
    }

    /** The read for fetch {@code fetchEpoch} failed: tell the client, then deliver what waits, skipping gaps. */
    public Step fetchFailed(long fetchEpoch, EdgeException error) {
        if (!fetching || fetchEpoch != epoch) {
            return Step.of(List.of(), null);
        }
        List<ServerFrame> out = new ArrayList<>();
        out.add(ErrorMapper.frameOf(new UnavailableException("room " + roomId + ": messages after seq " + cursor
                + " could not be read (" + error.getMessage() + "); RESUME from " + cursor + " to retry"), roomId));
        fetching = false;
        replaying = false;
        drain(out);
        while (!pending.isEmpty()) {
            skipGap(out);
        }
        return Step.of(out, null);
    }

    /** The last seq delivered, or -1 before any. */
    long cursor() {
        return cursor;
    }

    /** Sends what waits at {@code cursor + 1} onwards, in seq order, up to the first gap. */
    private void drain(List<ServerFrame> out) {
        while (!pending.isEmpty()) {
            Map.Entry<Long, Slot> first = pending.firstEntry();
            long seq = first.getKey();
            Slot slot = first.getValue();
            if (seq <= cursor) {
                // Its message was delivered already (from history); its updates still apply.
                out.addAll(slot.updates);
            } else if (seq == cursor + 1 && slot.message != null) {
                out.add(slot.message);
                out.addAll(slot.updates);
                cursor = seq;
            } else {
                return;
            }
            pending.pollFirstEntry();
        }
    }

    /** Gives up on the gap before the first waiting seq and delivers from there. */
    private void skipGap(List<ServerFrame> out) {
        Map.Entry<Long, Slot> first = pending.firstEntry();
        cursor = first.getKey() - 1;
        if (first.getValue().message == null) {
            // Only updates of a message history no longer has: send them so nothing waits forever.
            out.addAll(first.getValue().updates);
            cursor = first.getKey();
            pending.pollFirstEntry();
        }
        drain(out);
    }

    private Fetch startGapFill() {
        if (pending.isEmpty()) {
            return null;
        }
        fetching = true;
        replaying = false;
        epoch++;
        return new Fetch(epoch, cursor, limit());
    }

    /** A gap fill reads just up to the first waiting seq; a replay reads whole pages. */
    private int limit() {
        if (replaying || pending.isEmpty()) {
            return pageSize;
        }
        return (int) Math.max(1, Math.min(pageSize, pending.firstKey() - cursor));
    }

    private Slot slot(long seq) {
        return pending.computeIfAbsent(seq, s -> new Slot());
    }
}
