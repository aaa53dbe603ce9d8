package io.natter.topologies;

import io.natter.schemas.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, in multi-region mode, the topics the topology reads that nobody else may have created yet: the compacted
 * {@code chat.region.status.v1} (1 partition: a handful of keys, read whole as a global table) and every peer's
 * mirrored {@code <peer>.chat.*} topic with the local topics' partition count. Streams refuses to start on a
 * missing source topic, and MirrorMaker 2 creates a remote topic only once its source region is reachable, so a
 * region starting while its peer is down would otherwise not start at all. MirrorMaker later finds the topics and
 * replicates into them (same partition count, as it requires).
 */
final class RegionTopics {
    private static final Logger LOG = LoggerFactory.getLogger(RegionTopics.class);
    private static final long TIMEOUT_SECONDS = 30;

    private RegionTopics() {}

    /** The topics created if missing for {@code regions}, each with its partition count (from the local commands). */
    static List<NewTopic> required(Regions regions, int partitions, short replicationFactor) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(TopicNames.REGION_STATUS, 1, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        for (String peer : regions.peers()) {
            for (String topic : TopicNames.ALL) {
                topics.add(new NewTopic(peer + "." + topic, partitions, replicationFactor));
            }
        }
        return topics;
    }

    /** Creates what {@link #required} names and is missing on {@code bootstrapServers}; no-op in single-region mode. */
    static void ensure(String bootstrapServers, Regions regions, short replicationFactor) {
        if (!regions.multiRegion()) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int partitions = partitionsOf(admin, TopicNames.MESSAGE_REQUESTED, existing)
                    .orElseThrow(() -> new IllegalStateException("topic " + TopicNames.MESSAGE_REQUESTED
                            + " is missing: create the local chat.* topics first"));
            List<NewTopic> missing = required(regions, partitions, replicationFactor).stream()
                    .filter(topic -> !existing.contains(topic.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // Another instance (or MirrorMaker) created it in the meantime: what we wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            LOG.info("created {} missing cross-region topics with {} partitions: {}", missing.size(), partitions,
                    missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the cross-region topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the cross-region topics", e);
        }
    }

    private static Optional<Integer> partitionsOf(Admin admin, String topic, Set<String> existing)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (!existing.contains(topic)) {
            return Optional.empty();
        }
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
        return Optional.of(description.partitions().size());
    }
}
