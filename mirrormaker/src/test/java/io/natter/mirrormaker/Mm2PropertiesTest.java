package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.mirrormaker.client.RemoteTopics;
import io.natter.schemas.TopicNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.mirror.DefaultTopicFilter;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mm2PropertiesTest {
    private static final Region US = new Region("us", "us-kafka:9092", "http://us-registry/apis/ccompat/v7");
    private static final Region EU = new Region("eu", "eu-kafka:9092", "http://eu-registry/apis/ccompat/v7");

    private final Map<String, String> template = Mm2Properties.loadTemplate(Optional.empty());
    private final Map<String, String> rendered = Mm2Properties.render(template, MirrorMakerConfig.of(US, EU));
    private final org.apache.kafka.connect.mirror.MirrorMakerConfig mm2 =
            new org.apache.kafka.connect.mirror.MirrorMakerConfig(rendered);

    @Test
    void theCheckedInTemplateIsTheBundledOne() throws IOException {
        Map<String, String> checkedIn = Mm2Properties.loadTemplate(Optional.of(Path.of("config/mm2-us-eu.properties")));

        assertThat(template).isEqualTo(checkedIn);
    }

    @Test
    void fillsInExactlyTheEndpointsOfTheRun() {
        Map<String, String> added = new HashMap<>(rendered);
        added.keySet().removeAll(template.keySet());

        assertThat(added).isEqualTo(Map.of(
                "us.bootstrap.servers", US.bootstrapServers(),
                "eu.bootstrap.servers", EU.bootstrapServers(),
                "us->eu.transforms.schemaIds.source.registry.url", US.schemaRegistryUrl(),
                "us->eu.transforms.schemaIds.target.registry.url", EU.schemaRegistryUrl(),
                "eu->us.transforms.schemaIds.source.registry.url", EU.schemaRegistryUrl(),
                "eu->us.transforms.schemaIds.target.registry.url", US.schemaRegistryUrl()));
        assertThat(template).doesNotContainKeys(added.keySet().toArray(String[]::new));
    }

    @Test
    void mirrorsEveryLocalChatTopicAndNoMirroredOrInternalOne() {
        DefaultTopicFilter filter = new DefaultTopicFilter();
        filter.configure(mm2.connectorBaseConfig(new SourceAndTarget("us", "eu"), MirrorSourceConnector.class));

        assertThat(TopicNames.ALL).allSatisfy(topic -> assertThat(filter.shouldReplicateTopic(topic)).isTrue());
        assertThat(TopicNames.ALL).allSatisfy(topic -> {
            assertThat(filter.shouldReplicateTopic(RemoteTopics.of("eu", topic))).isFalse();
            assertThat(filter.shouldReplicateTopic(RemoteTopics.of("us", topic))).isFalse();
        });
        assertThat(filter.shouldReplicateTopic("natter-topologies-room-state-changelog")).isFalse();
        assertThat(filter.shouldReplicateTopic(TopicNames.REGION_STATUS)).isFalse();
        assertThat(filter.shouldReplicateTopic("mm2-offsets.us.internal")).isFalse();
        assertThat(filter.shouldReplicateTopic("chatter")).isFalse();
        filter.close();
    }

    @Test
    void runsBothFlows() {
        assertThat(mm2.clusterPairs()).containsExactlyInAnyOrder(new SourceAndTarget("us", "eu"),
                new SourceAndTarget("eu", "us"));
    }

    @Test
    void theSourceConnectorReadsCommittedRecordsAndTranslatesSchemaIdsOfMirroredChatTopicsOnly() {
        Map<String, String> source = mm2.connectorBaseConfig(new SourceAndTarget("us", "eu"), MirrorSourceConnector.class);

        assertThat(source).containsEntry("source.consumer.isolation.level", "read_committed")
                .containsEntry("source.cluster.bootstrap.servers", US.bootstrapServers())
                .containsEntry("target.cluster.bootstrap.servers", EU.bootstrapServers())
                .containsEntry("replication.factor", "1")
                .containsEntry("offset-syncs.topic.location", "target")
                .containsEntry("errors.retry.timeout", "-1")
                .containsEntry("transforms", "schemaIds, upstreamOffset")
                .containsEntry("transforms.schemaIds.type", SchemaIdTranslator.class.getName())
                .containsEntry("transforms.schemaIds.source.registry.url", US.schemaRegistryUrl())
                .containsEntry("transforms.schemaIds.target.registry.url", EU.schemaRegistryUrl())
                .containsEntry("transforms.upstreamOffset.type", UpstreamOffsetHeader.class.getName())
                .containsEntry("predicates.mirroredChat.pattern", "us[.]chat[.].*");
        assertThat("us.chat.message.sent.v1").matches(source.get("predicates.mirroredChat.pattern"));
        assertThat("us.heartbeats").doesNotMatch(source.get("predicates.mirroredChat.pattern"));
        assertThat("us.checkpoints.internal").doesNotMatch(source.get("predicates.mirroredChat.pattern"));
    }

    @Test
    void theCheckpointConnectorSyncsGroupOffsetsEveryFiveSeconds() {
        Map<String, String> checkpoint = mm2.connectorBaseConfig(new SourceAndTarget("eu", "us"),
                MirrorCheckpointConnector.class);

        assertThat(checkpoint).containsEntry("sync.group.offsets.enabled", "true")
                .containsEntry("sync.group.offsets.interval.seconds", "5")
                .containsEntry("emit.checkpoints.interval.seconds", "5")
                .containsEntry("refresh.groups.interval.seconds", "10")
                .containsEntry("checkpoints.topic.replication.factor", "1")
                .containsEntry("transforms.schemaIds.source.registry.url", EU.schemaRegistryUrl());
    }

    @Test
    void theWorkerWritingIntoARegionUsesAnIdempotentAllReplicaProducerWithoutLinger() {
        Map<String, String> worker = mm2.workerConfig(new SourceAndTarget("us", "eu"));

        assertThat(worker).containsEntry("bootstrap.servers", EU.bootstrapServers())
                .containsEntry("producer.acks", "all")
                .containsEntry("producer.enable.idempotence", "true")
                .containsEntry("producer.linger.ms", "0")
                .containsEntry("offset.flush.interval.ms", "5000")
                .containsEntry("offset.storage.replication.factor", "1")
                .containsEntry("config.storage.replication.factor", "1")
                .containsEntry("status.storage.replication.factor", "1");
    }

    @Test
    void refusesATemplateForOtherRegions() {
        MirrorMakerConfig apac = MirrorMakerConfig.of(US, new Region("apac", "k", "r"));

        assertThatThrownBy(() -> Mm2Properties.render(template, apac))
                .isInstanceOf(MirrorMakerConfigException.class)
                .hasMessage("the MirrorMaker template declares clusters [eu, us] but the configured regions are "
                        + "[apac, us]; write a template for that pair");
    }

    @Test
    void refusesAnEnabledFlowWithoutSchemaIdTranslation(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mm2.properties");
        Files.writeString(file, """
                clusters = us, eu
                us->eu.enabled = true
                eu->us.transforms = schemaIds
                eu->us.transforms.schemaIds.type = io.natter.mirrormaker.SchemaIdTranslator
                """);

        assertThatThrownBy(() -> Mm2Properties.render(Mm2Properties.loadTemplate(Optional.of(file)),
                MirrorMakerConfig.of(US, EU)))
                .isInstanceOf(MirrorMakerConfigException.class)
                .hasMessageContaining("flow us->eu is enabled but has no io.natter.mirrormaker.SchemaIdTranslator");
    }

    @Test
    void aMissingTemplateFileIsAConfigurationError(@TempDir Path dir) {
        assertThatThrownBy(() -> Mm2Properties.loadTemplate(Optional.of(dir.resolve("absent.properties"))))
                .isInstanceOf(MirrorMakerConfigException.class).hasMessageContaining("absent.properties");
    }
}
