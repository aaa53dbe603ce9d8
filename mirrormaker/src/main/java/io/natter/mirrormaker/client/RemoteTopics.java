package io.natter.mirrormaker.client;

import java.util.Optional;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.apache.kafka.connect.mirror.ReplicationPolicy;

/**
 * Names of mirrored topics under MirrorMaker 2's default replication policy: {@code chat.message.sent.v1} of region
 * {@code us} is {@code us.chat.message.sent.v1} on every other region's cluster.
 */
public final class RemoteTopics {
    // The policy the checked-in MirrorMaker configuration states (mirrormaker/config/mm2-us-eu.properties).
    private static final ReplicationPolicy POLICY = new DefaultReplicationPolicy();
    /** Every local Natter topic lives in this namespace, the one the MirrorMaker template mirrors. */
    private static final String LOCAL_NAMESPACE = "chat.";

    private RemoteTopics() {}

    /** The name under which {@code topic} of region {@code sourceRegion} appears on the other region's cluster. */
    public static String of(String sourceRegion, String topic) {
        if (sourceRegion.isBlank() || sourceRegion.contains(".")) {
            throw new IllegalArgumentException("a region alias is a non-empty name without dots, got '" + sourceRegion + "'");
        }
        return POLICY.formatRemoteTopic(sourceRegion, topic);
    }

    /** The region a mirrored topic comes from ({@code us} for {@code us.chat.message.sent.v1}); empty for a local topic. */
    public static Optional<String> sourceRegion(String topic) {
        // The default policy takes everything before the first dot as the source, i.e. "chat" for a local topic.
        if (topic.startsWith(LOCAL_NAMESPACE)) {
            return Optional.empty();
        }
        return Optional.ofNullable(POLICY.topicSource(topic));
    }

    /** The topic's name in its source region ({@code chat.message.sent.v1}); the name itself for a local topic. */
    public static String upstream(String topic) {
        return sourceRegion(topic).isPresent() ? POLICY.upstreamTopic(topic) : topic;
    }
}
