package io.natter.mirrormaker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Checks that each local Natter topic has the same partition count in both regions. MirrorMaker keeps a mirrored
 * topic at its source's count, but the two regions' own topics are created apart; if they differ, a room's key maps
 * to another partition in the other region, and a region taking over a room would sequence it elsewhere.
 */
final class PartitionCounts {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private PartitionCounts() {}

    /** The partition count of each of {@code topics} that exists on the cluster at {@code bootstrapServers}. */
    static Map<String, Integer> of(String bootstrapServers, Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "natter-mm2-partition-check"))) {
            Set<String> existing = admin.listTopics(new ListTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> present = topics.stream().filter(existing::contains).toList();
            Map<String, TopicDescription> descriptions = admin.describeTopics(present).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Integer> counts = new TreeMap<>();
            descriptions.forEach((name, description) -> counts.put(name, description.partitions().size()));
            return counts;
        } catch (ExecutionException | TimeoutException e) {
            throw new MirrorMakerConfigException("cannot list the topics of " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MirrorMakerConfigException("interrupted while listing the topics of " + bootstrapServers, e);
        }
    }

    /** One line per topic that exists in both regions with different partition counts; empty when all agree. */
    static List<String> mismatches(String aliasA, Map<String, Integer> countsA, String aliasB, Map<String, Integer> countsB) {
        List<String> mismatches = new ArrayList<>();
        countsA.forEach((topic, countA) -> {
            Integer countB = countsB.get(topic);
            if (countB != null && !countB.equals(countA)) {
                mismatches.add(topic + ": " + countA + " partitions in " + aliasA + ", " + countB + " in " + aliasB);
            }
        });
        return mismatches;
    }
}
