package io.natter.edge.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether Kafka takes commands: one thread runs a check every {@link #INTERVAL} (and at once when asked by
 * {@link #checkSoon()}), and reports each change of the answer to a listener. The production check asks the broker
 * for the command topic with a short timeout and wants a leader on every partition: the producer itself never says
 * "down" (it retries silently until its 120 s delivery timeout), so an outage is noticed within interval + timeout.
 */
public final class KafkaProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaProbe.class);
    /** How often Kafka is checked; also roughly how long a recovered broker waits to be noticed. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** A check without an answer within this long counts as "down". */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final BooleanSupplier check;
    private final Duration interval;
    private final AutoCloseable resource;
    private final Thread thread;
    private volatile Consumer<Boolean> listener = up -> { };
    private volatile boolean up;
    private volatile boolean closed;

    /** A probe running {@code check} (true = Kafka takes commands) every {@code interval}; closes {@code resource}. */
    KafkaProbe(String name, BooleanSupplier check, Duration interval, AutoCloseable resource) {
        this.check = check;
        this.interval = interval;
        this.resource = resource;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    /** A probe asking the broker for {@code topic}'s partition leaders, over its own Admin client. */
    public static KafkaProbe forTopic(String bootstrap, String nodeId, String topic) {
        Admin admin = Admin.create(KafkaClientSettings.probe(bootstrap, nodeId, TIMEOUT));
        return new KafkaProbe(nodeId + "-kafka-probe", () -> allPartitionsLed(admin, topic), INTERVAL,
                () -> admin.close(TIMEOUT));
    }

    /** Starts checking; {@code onChange} hears every change of {@link #up()}, on the probe's thread. */
    public void start(Consumer<Boolean> onChange) {
        listener = onChange;
        thread.start();
    }

    /** The last check's answer; false until the first check succeeds. */
    public boolean up() {
        return up;
    }

    /** Runs the next check now instead of at the end of the interval (e.g. after a send failed). */
    public void checkSoon() {
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            boolean now = safeCheck();
            if (now != up && !closed) {
                up = now;
                listener.accept(now);
            }
            // A checkSoon() (unpark) ends the wait early; a spurious wake-up only checks sooner.
            LockSupport.parkNanos(interval.toNanos());
        }
    }

    private boolean safeCheck() {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            log.debug("Kafka check failed: {}", e.toString());
            return false;
        }
    }

    private static boolean allPartitionsLed(Admin admin, String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic),
                            new DescribeTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .allTopicNames().get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).get(topic);
            return description != null && !description.partitions().isEmpty() && description.partitions().stream()
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            log.debug("Kafka check of {} failed: {}", topic, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            if (thread.getState() != Thread.State.NEW) {
                // A check in progress ends within its timeout.
                thread.join(TIMEOUT.plusSeconds(1));
            }
            resource.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("closing the Kafka probe failed: {}", e.toString());
        }
    }

}
