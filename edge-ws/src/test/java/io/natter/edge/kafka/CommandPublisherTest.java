package io.natter.edge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.natter.edge.rooms.RoomCommands;
import io.natter.schemas.Envelopes;
import io.natter.schemas.InMemorySchemaRegistry;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.SendMessageRequested;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The outage buffer in front of a MockProducer, with Kafka's reachability switched by the test. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommandPublisherTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Topic<String, RoomCommand> topic = new Topics(new InMemorySchemaRegistry(), true).messageRequested();
    private final MockProducer<String, RoomCommand> producer = new MockProducer<>(cluster(), true, null,
            topic.keySerde().serializer(), topic.valueSerde().serializer());
    private final RoomCommands commands = new RoomCommands("edge-test", Envelopes.systemClock("us"));
    private final AtomicBoolean kafkaUp = new AtomicBoolean();
    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private CommandPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close();
        }
    }

    private CommandPublisher start(int bufferMaxCommands, Duration maxWait) {
        KafkaProbe probe = new KafkaProbe("probe-test", kafkaUp::get, Duration.ofMillis(10), () -> { });
        publisher = new CommandPublisher("edge-test", producer, topic, probe,
                new CommandPublisher.OutageLimits(bufferMaxCommands, maxWait), metrics, nanos::get);
        publisher.start();
        publisher.awaitMetadata();
        return publisher;
    }

    @Test
    void sendsAtOnceWhileKafkaIsUp() {
        kafkaUp.set(true);
        start(5, Duration.ofMinutes(1));
        await().atMost(WAIT).until(publisher::ready);

        CommandPublisher.Publication publication = publisher.publish("r1", send("r1", "c1"));

        assertThat(publication.handedOff()).isCompleted();
        assertThat(publication.written()).isCompleted();
        assertThat(clientMsgIds()).containsExactly("c1");
        assertThat(publisher.buffered()).isZero();
    }

    @Test
    void buffersWhileKafkaIsDownDropsTheOldestWhenFullAndPublishesTheRestInOrderWhenItReturns() throws Exception {
        start(3, Duration.ofMinutes(1));
        assertThat(publisher.ready()).isFalse();

        List<CommandPublisher.Publication> publications = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            String room = i % 2 == 0 ? "r2" : "r1";
            publications.add(publisher.publish(room, send(room, "c" + i)));
        }

        for (CommandPublisher.Publication dropped : publications.subList(0, 2)) {
            assertThat(dropped.written()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(CommandDroppedException.class)
                    .extracting(e -> ((CommandDroppedException) e).reason())
                    .isEqualTo(CommandDroppedException.Reason.BUFFER_FULL);
            assertThat(dropped.handedOff()).isNotDone();
        }
        for (CommandPublisher.Publication waiting : publications.subList(2, 5)) {
            assertThat(waiting.handedOff()).isNotDone();
            assertThat(waiting.written()).isNotDone();
        }
        assertThat(producer.history()).isEmpty();
        assertThat(metrics.get(CommandPublisher.BUFFER_DEPTH_GAUGE).gauge().value()).isEqualTo(3);
        assertThat(metrics.get(CommandPublisher.DROPPED_COUNTER).counter().count()).isEqualTo(2);
        assertThat(metrics.get(CommandPublisher.KAFKA_UP_GAUGE).gauge().value()).isZero();

        kafkaUp.set(true);
        await().atMost(WAIT).until(() -> producer.history().size() == 3);

        assertThat(clientMsgIds()).containsExactly("c3", "c4", "c5");
        for (CommandPublisher.Publication published : publications.subList(2, 5)) {
            assertThat(published.handedOff()).isCompleted();
            assertThat(published.written()).isCompleted();
        }
        assertThat(publisher.ready()).isTrue();
        assertThat(metrics.get(CommandPublisher.BUFFER_DEPTH_GAUGE).gauge().value()).isZero();
        assertThat(metrics.get(CommandPublisher.KAFKA_UP_GAUGE).gauge().value()).isOne();
        assertThat(metrics.get(CommandPublisher.DROPPED_COUNTER).counter().count()).isEqualTo(2);
    }

    @Test
    void dropsBufferedCommandsThatWaitedLongerThanTheMaximumWait() {
        start(10, Duration.ofSeconds(30));
        CommandPublisher.Publication old = publisher.publish("r1", send("r1", "c1"));
        nanos.addAndGet(Duration.ofSeconds(20).toNanos());
        CommandPublisher.Publication recent = publisher.publish("r1", send("r1", "c2"));
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());

        await().atMost(WAIT).until(() -> old.written().isDone());
        assertThat(old.written()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(CommandDroppedException.class)
                .withMessage("not sent: Kafka was unreachable for longer than 30000 ms; send it again");
        assertThat(recent.written()).isNotDone();
        assertThat(publisher.buffered()).isOne();
        assertThat(metrics.get(CommandPublisher.DROPPED_COUNTER).counter().count()).isOne();
    }

    @Test
    void refusesMembershipChangesWhileKafkaIsDown() {
        start(10, Duration.ofMinutes(1));

        CommandPublisher.Publication join = publisher.publishNow("r1", commands.command("j1", "alice", null,
                new JoinRoomRequested("r1")));

        assertThat(join.written()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(KafkaUnavailableException.class).withMessage("Kafka is unreachable");
        assertThat(producer.history()).isEmpty();
        assertThat(publisher.buffered()).isZero();
    }

    @Test
    void closingWhileKafkaIsDownDropsWhatIsBufferedAndClosesTheProducer() {
        start(10, Duration.ofMinutes(1));
        CommandPublisher.Publication waiting = publisher.publish("r1", send("r1", "c1"));

        publisher.close();

        assertThat(waiting.written()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(CommandDroppedException.class)
                .extracting(e -> ((CommandDroppedException) e).reason())
                .isEqualTo(CommandDroppedException.Reason.SHUTDOWN);
        assertThat(metrics.get(CommandPublisher.DROPPED_COUNTER).counter().count()).isOne();
        assertThat(producer.history()).isEmpty();
        assertThat(producer.closed()).isTrue();
        assertThat(publisher.publish("r1", send("r1", "c2")).written()).isCompletedExceptionally();
    }

    private RoomCommand send(String roomId, String clientMsgId) {
        return commands.command("cmd-" + clientMsgId, "alice", "s1",
                new SendMessageRequested(roomId, "hello", clientMsgId, List.of()));
    }

    private List<String> clientMsgIds() {
        return producer.history().stream().map(ProducerRecord::value)
                .map(command -> ((SendMessageRequested) command.getPayload()).getClientMsgId()).toList();
    }

    private Cluster cluster() {
        Node node = new Node(1, "127.0.0.1", 9092);
        return new Cluster("test", List.of(node),
                List.of(new PartitionInfo(topic.name(), 0, node, new Node[] {node}, new Node[] {node})), Set.of(), Set.of());
    }
}
