package io.natter.edge.session;

import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.error.HistoryTruncatedException;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.query.MessagePage;
import io.natter.edge.query.RoomView;
import io.natter.edge.query.StoredMessage;
import io.natter.edge.rooms.HistoryFrames;
import io.natter.edge.regions.RoomEpochs;
import io.natter.edge.rooms.RoomQueries;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves sessions' room cursors: live fan-out items, RESUME replays and live gap fills. History reads run on
 * {@code reads} (virtual threads) so neither the fan-out thread nor a socket's thread waits on them.
 */
public final class Catchup {
    private static final Logger log = LoggerFactory.getLogger(Catchup.class);

    private final RoomQueries rooms;
    private final FrameCodec codec;
    private final Executor reads;
    private final RoomEpochs epochs;
    private volatile Encoded lastEncoded;

    public Catchup(RoomQueries rooms, FrameCodec codec, Executor reads) {
        this(rooms, codec, reads, new RoomEpochs());
    }

    /** As above, with the re-homes this edge has seen (for EPOCH frames). */
    public Catchup(RoomQueries rooms, FrameCodec codec, Executor reads, RoomEpochs epochs) {
        this.rooms = rooms;
        this.codec = codec;
        this.reads = reads;
        this.epochs = epochs;
    }

    /** Delivers a live item of {@code roomId} to {@code session} through its cursor; a gap starts a fill. */
    public void live(ClientSession session, String roomId, RoomCursor.Item item) {
        liveStep(session, roomId, cursor -> cursor.live(item), null);
    }

    /**
     * As {@link #live(ClientSession, String, RoomCursor.Item)} for an item of the room's {@code epoch}, starting
     * at {@code epochFromSeq}: an older epoch's item is dropped, a newer epoch is announced with EPOCH first.
     * With a {@code batch} (nullable) the frames wait in the socket's buffer until the batch is flushed.
     */
    public void live(ClientSession session, String roomId, RoomCursor.Item item, int epoch, long epochFromSeq,
            FlushBatch batch) {
        liveStep(session, roomId, cursor -> cursor.live(item, epoch, epochFromSeq), batch);
    }

    private void liveStep(ClientSession session, String roomId,
            java.util.function.Function<RoomCursor, RoomCursor.Step> change, FlushBatch batch) {
        RoomCursor.Step step = session.streams().apply(roomId, change, frames -> send(session, frames, batch));
        if (step.fetch() != null) {
            reads.execute(() -> fill(session, roomId, step.fetch()));
        }
    }

    /** Replays each room after the client's last seq, then live; refusals come as ERROR with ref = room id. */
    public void resume(ClientSession session, Map<String, Long> lastSeqs) {
        resume(session, lastSeqs, null);
    }

    /** As above, {@code clientEpochs} (nullable) naming the epoch of each room's last seq. */
    public void resume(ClientSession session, Map<String, Long> lastSeqs, Map<String, Integer> clientEpochs) {
        lastSeqs.forEach((roomId, lastSeq) -> {
            // At once, on the socket's thread: live items arriving while the room is checked must wait for the replay.
            session.streams().apply(roomId, RoomCursor::expectResume, frames -> send(session, frames));
            Integer clientEpoch = clientEpochs == null ? null : clientEpochs.get(roomId);
            reads.execute(() -> resumeRoom(session, roomId, lastSeq, clientEpoch));
        });
    }

    private void resumeRoom(ClientSession session, String roomId, long lastSeq, Integer clientEpoch) {
        RoomView room;
        try {
            room = rooms.room(session.userId(), roomId);
        } catch (EdgeException e) {
            refuse(session, roomId, e);
            return;
        }
        if (lastSeq < room.oldestSeq() - 1) {
            refuse(session, roomId, new HistoryTruncatedException(roomId, lastSeq, room.oldestSeq()));
            return;
        }
        // A client claiming more than the room has gets nothing replayed and live from the room's next seq.
        long from = Math.min(lastSeq, room.lastSeq());
        // The room's epoch from the query API, or from a re-home this edge saw (the API may lag a commit interval).
        RoomEpochs.Rehome seen = epochs.of(roomId).orElse(new RoomEpochs.Rehome(0, 1));
        int currentEpoch = Math.max(room.epoch() == null ? 0 : room.epoch(), seen.epoch());
        long epochFromSeq = seen.epoch() == currentEpoch && currentEpoch > 0 ? seen.fromSeq()
                : room.epochFromSeq() != null ? room.epochFromSeq()
                // Unknown: from the oldest retained seq, so the client resends every older-epoch send it still holds.
                : room.oldestSeq();
        RoomCursor.Step step = session.streams().apply(roomId,
                cursor -> cursor.resume(from, clientEpoch, currentEpoch, epochFromSeq), frames -> send(session, frames));
        if (step.backfill() != null) {
            backfill(session, roomId, step.backfill());
        }
        if (step.fetch() != null) {
            read(session, roomId, step.fetch());
        }
    }

    private void refuse(ClientSession session, String roomId, EdgeException error) {
        send(session, List.of(ErrorMapper.frameOf(error, roomId)));
        RoomCursor.Step step = session.streams().apply(roomId, RoomCursor::cancelResume, frames -> send(session, frames));
        if (step.fetch() != null) {
            fill(session, roomId, step.fetch());
        }
    }

    private void fill(ClientSession session, String roomId, RoomCursor.Fetch fetch) {
        try {
            // The fan-out named this user a recipient, but membership may have changed since: check again.
            rooms.room(session.userId(), roomId);
        } catch (EdgeException e) {
            session.streams().apply(roomId, cursor -> cursor.fetchFailed(fetch.epoch(), e), frames -> send(session, frames));
            return;
        }
        read(session, roomId, fetch);
    }

    /** Runs {@code first} and every read the cursor asks for after it, until it asks for none. */
    private void read(ClientSession session, String roomId, RoomCursor.Fetch first) {
        RoomCursor.Fetch fetch = first;
        while (fetch != null) {
            RoomCursor.Fetch current = fetch;
            RoomCursor.Step step;
            try {
                MessagePage page = rooms.messagesAfter(roomId, current.afterSeq(), current.limit());
                List<RoomCursor.Sequenced> messages = page.messages().stream().map(Catchup::sequenced).toList();
                step = session.streams().apply(roomId,
                        cursor -> cursor.fetched(current.epoch(), messages, page.hasMore(), page.oldestSeq()),
                        frames -> send(session, frames));
            } catch (EdgeException e) {
                log.warn("history read for {} in {} failed: {}", session, roomId, e.getMessage());
                step = session.streams().apply(roomId, cursor -> cursor.fetchFailed(current.epoch(), e),
                        frames -> send(session, frames));
            }
            fetch = step.fetch();
        }
    }

    /** Sends the seqs a RESUME asked for below those live delivery already sent, as they come from history. */
    private void backfill(ClientSession session, String roomId, RoomCursor.Backfill range) {
        long after = range.afterSeq();
        try {
            while (after < range.untilSeq()) {
                int limit = (int) Math.min(RoomStreams.PAGE_SIZE, range.untilSeq() - after);
                MessagePage page = rooms.messagesAfter(roomId, after, limit);
                List<StoredMessage> wanted = page.messages().stream()
                        .filter(m -> m.seq() > range.afterSeq() && m.seq() <= range.untilSeq()).toList();
                send(session, wanted.stream().map(HistoryFrames::replayed).toList());
                if (wanted.isEmpty() || !page.hasMore()) {
                    return;
                }
                after = wanted.getLast().seq();
            }
        } catch (EdgeException e) {
            send(session, List.of(ErrorMapper.frameOf(e, roomId)));
        }
    }

    private static RoomCursor.Sequenced sequenced(StoredMessage message) {
        return new RoomCursor.Sequenced(message.seq(), HistoryFrames.replayed(message));
    }

    private void send(ClientSession session, List<ServerFrame> frames) {
        send(session, frames, null);
    }

    private void send(ClientSession session, List<ServerFrame> frames, FlushBatch batch) {
        frames.forEach(frame -> session.send(encoded(frame), batch));
    }

    /**
     * The frame's JSON and its bytes, encoded once for all the sessions a live item goes to: the fan-out thread hands
     * one frame object to every recipient in turn, so remembering the last one saves an encode per copy. Another
     * thread (a replay) may replace the pair; that costs a re-encode, never a wrong frame, since the frame is compared
     * by identity and the pair is immutable.
     */
    private EncodedFrame encoded(ServerFrame frame) {
        Encoded last = lastEncoded;
        if (last != null && last.frame() == frame) {
            return last.encoded();
        }
        EncodedFrame encoded = EncodedFrame.of(codec.encode(frame));
        lastEncoded = new Encoded(frame, encoded);
        return encoded;
    }

    private record Encoded(ServerFrame frame, EncodedFrame encoded) { }
}
