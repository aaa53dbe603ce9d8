package io.natter.edge.regions;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest re-home of each room this edge has seen ({@code RoomRehomed} on the local or a mirrored membership
 * topic): the room's epoch and the first seq of that epoch, which EPOCH frames tell clients.
 */
public final class RoomEpochs {
    /** Room {@code roomId} is sequenced under {@code epoch} from {@code fromSeq} on. */
    public record Rehome(int epoch, long fromSeq) {}

    private final ConcurrentHashMap<String, Rehome> rooms = new ConcurrentHashMap<>();

    /** Records a re-home; an older epoch than one already known changes nothing (mirrored copies come late). */
    public void rehomed(String roomId, int epoch, long fromSeq) {
        rooms.merge(roomId, new Rehome(epoch, fromSeq), (known, fresh) -> fresh.epoch() > known.epoch() ? fresh : known);
    }

    /** The latest re-home of {@code roomId} seen, if any. */
    public Optional<Rehome> of(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /**
     * The first seq of {@code epoch} of {@code roomId}: known from its re-home, else {@code fallback} (the seq of the
     * first message of that epoch seen, when the re-home event was not read by this edge).
     */
    public long fromSeq(String roomId, int epoch, long fallback) {
        Rehome rehome = rooms.get(roomId);
        return rehome != null && rehome.epoch() == epoch ? rehome.fromSeq() : fallback;
    }
}
