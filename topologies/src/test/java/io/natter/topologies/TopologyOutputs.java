package io.natter.topologies;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.AttachmentUploaded;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The room topology's output topics in a TopologyTestDriver, and the check that a test read all the topology wrote. */
final class TopologyOutputs {
    final TestOutputTopic<String, RoomMembershipEvent> membership;
    final TestOutputTopic<String, ChatMessageSent> sent;
    final TestOutputTopic<String, ChatMessageEdited> edited;
    final TestOutputTopic<String, ChatMessageDeleted> deleted;
    final TestOutputTopic<String, ChatFanout> fanout;
    final TestOutputTopic<String, CommandRejected> rejected;
    final TestOutputTopic<String, AttachmentUploaded> uploaded;
    private final TopologyTestDriver driver;
    private final List<String> allowedTopics = new ArrayList<>();

    TopologyOutputs(TopologyTestDriver driver, Topics topics) {
        this.driver = driver;
        membership = output(topics.roomMembership());
        sent = output(topics.messageSent());
        edited = output(topics.messageEdited());
        deleted = output(topics.messageDeleted());
        fanout = output(topics.fanout());
        rejected = output(topics.messageRejected());
        uploaded = output(topics.attachmentUploaded());
        // Only these and the stores' changelogs: never a command topic, a mirrored topic or the region status.
        RoomTopology.STORES.forEach(store -> allowedTopics.add("natter-topologies-" + store + "-changelog"));
    }

    /**
     * Asserts every output topic was read to the end and the topology wrote to no topic but those and its stores'
     * changelogs, then closes the driver whatever the assertions found.
     */
    void assertNothingElseEmittedAndClose() {
        try {
            assertThat(membership.readKeyValuesToList()).as("unread membership events").isEmpty();
            assertThat(sent.readKeyValuesToList()).as("unread sent messages").isEmpty();
            assertThat(edited.readKeyValuesToList()).as("unread edits").isEmpty();
            assertThat(deleted.readKeyValuesToList()).as("unread deletions").isEmpty();
            assertThat(fanout.readKeyValuesToList()).as("unread fan-out").isEmpty();
            assertThat(rejected.readKeyValuesToList()).as("unread rejections").isEmpty();
            assertThat(uploaded.readKeyValuesToList()).as("unread uploaded attachments").isEmpty();
            assertThat(driver.producedTopicNames()).as("topics the topology wrote to").isSubsetOf(allowedTopics);
        } finally {
            driver.close();
        }
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        allowedTopics.add(topic.name());
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }
}
