package io.natter.topologies;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the peer regions, read directly on their clusters, say of this region. A peer that declares this region
 * DOWN has taken over (or may take over) its rooms, so this region must not judge them: it is FENCED. Positive
 * knowledge only: a peer never heard from does not fence (partitions are the operator's to handle). After the
 * peer declares this region UP again, the fence lifts per partition once this region's replica has applied every
 * membership event (the {@code RoomRehomed}s) the peer had written to that partition when it said UP.
 * Thread-safe: written by the peer-status readers, read by every stream thread.
 */
public final class RegionFence {
    private static final Logger LOG = LoggerFactory.getLogger(RegionFence.class);

    /** A peer's latest declaration about this region. */
    public enum Opinion { UNKNOWN, UP, DOWN }

    /** The fence as a whole, for views and metrics: OPEN, FENCED (a peer says DOWN), or UNFENCING (catching up). */
    public enum State { OPEN, FENCED, UNFENCING }

    /**
     * @param targets per partition of the peer's {@code chat.room.membership.v1}, the upstream offset of its last
     *                record when the peer said UP (-1 = empty); {@code null} while not known (still fenced)
     * @param upSince when the peer declared UP (epoch millis of the declaration; -1 otherwise): it names the UP, so
     *                a task that already caught up with this very UP (before a restart) need not do it again
     */
    private record PeerView(Opinion opinion, Map<Integer, Long> targets, long upSince) {}

    private final String local;
    private final Map<String, PeerView> peers = new ConcurrentHashMap<>();

    /** A fence of region {@code local} that no peer has spoken about yet: open. */
    public RegionFence(String local) {
        this.local = local;
    }

    /** A fence that never closes: single-region mode, or no peer cluster configured. */
    public static RegionFence open(String local) {
        return new RegionFence(local);
    }

    /** {@code peer} declares this region DOWN: fenced everywhere. */
    public void declaredDown(String peer) {
        PeerView before = peers.put(peer, new PeerView(Opinion.DOWN, null, -1));
        if (before == null || before.opinion() != Opinion.DOWN) {
            LOG.warn("region {} is FENCED: {} declares it DOWN; commands of rooms homed here are refused"
                    + " (REGION_FENCED), mirrored ones left to {}", local, peer, peer);
        }
    }

    /**
     * {@code peer} declares this region UP (at {@code declaredAtMillis}): still fenced until {@link #unfenceTargets}
     * says how far to catch up, unless a task already caught up with this same declaration.
     */
    public void declaredUp(String peer, long declaredAtMillis) {
        PeerView before = peers.put(peer, new PeerView(Opinion.UP, null, declaredAtMillis));
        if (before == null || before.opinion() != Opinion.UP) {
            LOG.info("{} declares region {} UP; the fence lifts per partition once the replica caught up with {}",
                    peer, local, peer);
        }
    }

    /** {@code peer}'s declaration about this region was removed (a tombstone): nothing known, open. */
    public void forgotten(String peer) {
        PeerView before = peers.remove(peer);
        if (before != null && before.opinion() == Opinion.DOWN) {
            LOG.warn("{} no longer declares region {} anything; fence by {} lifted", peer, local, peer);
        }
    }

    /**
     * The upstream offsets of {@code peer}'s last membership record per partition when it said UP (-1 = none);
     * ignored unless the peer's latest word is still UP.
     */
    public void unfenceTargets(String peer, Map<Integer, Long> targets) {
        Map<Integer, Long> copy = Map.copyOf(targets);
        PeerView now = peers.computeIfPresent(peer,
                (p, view) -> view.opinion() == Opinion.UP ? new PeerView(Opinion.UP, copy, view.upSince()) : view);
        if (now != null && copy.equals(now.targets())) {
            LOG.info("region {}: each partition unfences once its replica applied {}'s membership record at {}"
                    + " (by partition; -1 = empty)", local, peer, new TreeMap<>(copy));
        }
    }

    /**
     * The peer that fences {@code partition} (a task's partition of the co-partitioned topics), or empty if this
     * region may judge its rooms there.
     *
     * @param applied the upstream offset of the last mirrored membership record of {@code partition} this
     *                region's replica applied, per peer (-1 = none)
     * @param caughtUpWith the UP declaration (its {@code upSince}) this task last caught up with, per peer (-1 =
     *                none): the same UP read again after a restart does not fence again
     */
    public Optional<String> fencedBy(int partition, ToLongFunction<String> applied, ToLongFunction<String> caughtUpWith) {
        for (Map.Entry<String, PeerView> entry : peers.entrySet()) {
            PeerView view = entry.getValue();
            boolean fenced = switch (view.opinion()) {
                case DOWN -> true;
                case UP -> caughtUpWith.applyAsLong(entry.getKey()) != view.upSince() && (view.targets() == null
                        || applied.applyAsLong(entry.getKey()) < view.targets().getOrDefault(partition, -1L));
                case UNKNOWN -> false;
            };
            if (fenced) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }

    /**
     * Calls {@code action} with each peer whose latest word on this region is UP and when it said it (see
     * {@link PeerView#upSince}); no copy is made, as this runs for every judged command once a region failed back.
     */
    public void forEachUp(BiConsumer<String, Long> action) {
        peers.forEach((peer, view) -> {
            if (view.opinion() == Opinion.UP) {
                action.accept(peer, view.upSince());
            }
        });
    }

    /** Each peer's latest declaration about this region, for {@code peers} in order. */
    public Map<String, Opinion> opinions(List<String> regions) {
        Map<String, Opinion> opinions = new LinkedHashMap<>();
        for (String peer : regions) {
            PeerView view = peers.get(peer);
            opinions.put(peer, view == null ? Opinion.UNKNOWN : view.opinion());
        }
        return opinions;
    }

    /**
     * FENCED if a peer says DOWN; UNFENCING if one said UP and not every partition is known to have caught up
     * (its targets unknown yet, or some not reached: tasks check that on their next command); else OPEN.
     */
    public State state() {
        State state = State.OPEN;
        for (PeerView view : peers.values()) {
            if (view.opinion() == Opinion.DOWN) {
                return State.FENCED;
            }
            if (view.opinion() == Opinion.UP && view.targets() == null) {
                state = State.UNFENCING;
            }
        }
        return state;
    }

    /** 1 while {@code peer} fences every partition (says DOWN, or UP without known targets), else 0: a gauge. */
    public double fencingGauge(String peer) {
        PeerView view = peers.get(peer);
        return view != null && (view.opinion() == Opinion.DOWN || view.targets() == null) ? 1 : 0;
    }
}
