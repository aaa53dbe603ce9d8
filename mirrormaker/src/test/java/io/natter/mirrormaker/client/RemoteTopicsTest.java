package io.natter.mirrormaker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.TopicNames;
import io.natter.schemas.Topics;
import org.junit.jupiter.api.Test;

class RemoteTopicsTest {

    @Test
    void namesAMirroredTopicByItsSourceRegion() {
        assertThat(RemoteTopics.of("us", TopicNames.MESSAGE_SENT)).isEqualTo("us.chat.message.sent.v1");
        assertThat(RemoteTopics.of("eu", TopicNames.FANOUT)).isEqualTo("eu.chat.fanout.v1");
    }

    @Test
    void agreesWithTheTopicCatalogue() {
        Topics topics = new Topics(new InMemorySchemaRegistry(), true);

        assertThat(topics.all()).allSatisfy(topic ->
                assertThat(RemoteTopics.of("us", topic.name())).isEqualTo(topic.mirroredFrom("us").name()));
    }

    @Test
    void tellsTheSourceRegionAndUpstreamNameOfAMirroredTopic() {
        assertThat(RemoteTopics.sourceRegion("us.chat.message.sent.v1")).hasValue("us");
        assertThat(RemoteTopics.upstream("us.chat.message.sent.v1")).isEqualTo(TopicNames.MESSAGE_SENT);
        assertThat(RemoteTopics.upstream(TopicNames.MESSAGE_SENT)).isEqualTo(TopicNames.MESSAGE_SENT);
    }

    @Test
    void aLocalChatTopicHasNoSourceRegion() {
        // MirrorMaker's default policy alone would name "chat" as the source of "chat.message.sent.v1".
        assertThat(TopicNames.ALL).allSatisfy(topic -> assertThat(RemoteTopics.sourceRegion(topic)).isEmpty());
        assertThat(RemoteTopics.sourceRegion("heartbeats")).isEmpty();
    }

    @Test
    void refusesAnAliasWithTheSeparator() {
        assertThatThrownBy(() -> RemoteTopics.of("us.east", TopicNames.FANOUT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteTopics.of(" ", TopicNames.FANOUT)).isInstanceOf(IllegalArgumentException.class);
    }
}
