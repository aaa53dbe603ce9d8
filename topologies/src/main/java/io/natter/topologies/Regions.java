package io.natter.topologies;

import io.natter.schemas.Topic;
import java.util.ArrayList;
import java.util.List;

/**
 * The region this instance runs in and the peer regions whose topics MirrorMaker 2 copies here
 * ({@code <peer>.chat.*}); no peers = single-region mode, where the topology reads local topics only.
 *
 * @param local this instance's region: home of the rooms created here
 * @param peers the other regions, in configuration order; never contains {@code local}
 */
public record Regions(String local, List<String> peers) {

    public Regions {
        peers = List.copyOf(peers);
        if (peers.contains(local)) {
            throw new IllegalArgumentException("peer regions " + peers + " must not contain the local region " + local);
        }
    }

    /** Single-region mode in {@code local}. */
    public static Regions single(String local) {
        return new Regions(local, List.of());
    }

    /** Whether peers are configured: the topology then reads mirrored topics and honours home regions. */
    public boolean multiRegion() {
        return !peers.isEmpty();
    }

    /** Whether {@code region} is this one or a peer. */
    public boolean knows(String region) {
        return local.equals(region) || peers.contains(region);
    }

    /** The local region first, then the peers. */
    public List<String> all() {
        List<String> all = new ArrayList<>(peers.size() + 1);
        all.add(local);
        all.addAll(peers);
        return List.copyOf(all);
    }

    /** {@code topic} itself and its mirrored copy from every peer, local first. */
    public List<String> localAndMirrored(Topic<?, ?> topic) {
        List<String> names = new ArrayList<>();
        names.add(topic.name());
        names.addAll(mirrored(topic));
        return List.copyOf(names);
    }

    /** The mirrored copies of {@code topic}, one per peer ({@code <peer>.<topic>}). */
    public List<String> mirrored(Topic<?, ?> topic) {
        return peers.stream().map(peer -> topic.mirroredFrom(peer).name()).toList();
    }
}
