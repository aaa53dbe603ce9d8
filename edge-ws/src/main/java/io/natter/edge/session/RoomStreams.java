package io.natter.edge.session;

import io.natter.edge.frames.ServerFrame;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/** The delivery cursors of one session, one per room; changed and sent under one lock so frames leave in cursor order. */
public final class RoomStreams {
    /** History messages read per query: the query API's own page cap. */
    public static final int PAGE_SIZE = 500;

    // The fan-out thread and history reads (virtual threads) both move cursors; one at a time, sends included.
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, RoomCursor> cursors = new HashMap<>();

    /** Applies {@code change} to the cursor of {@code roomId}, hands its frames to {@code send} under the lock, returns the step. */
    public RoomCursor.Step apply(String roomId, Function<RoomCursor, RoomCursor.Step> change,
            Consumer<List<ServerFrame>> send) {
        lock.lock();
        try {
            RoomCursor.Step step = change.apply(cursors.computeIfAbsent(roomId, id -> new RoomCursor(id, PAGE_SIZE)));
            send.accept(step.frames());
            return step;
        } finally {
            lock.unlock();
        }
    }
}
