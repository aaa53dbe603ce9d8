package io.natter.mirrormaker;

import io.natter.infra.KafkaBroker;
import io.natter.infra.SchemaRegistryServer;
import io.natter.schemas.ConfluentRegistryClient;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.RoomState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Two regions for the replication tests, us and eu: a KRaft broker and an Apicurio registry each (the registries are
 * child JVMs, started in parallel), with the given Natter topics created at {@link #PARTITIONS} partitions in both.
 */
final class TwoRegions implements AutoCloseable {
    static final int PARTITIONS = 3;

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, KafkaBroker> brokers = new HashMap<>();
    private final Map<String, SchemaRegistryServer> registries = new HashMap<>();

    private TwoRegions() {}

    static TwoRegions start(Path dataDir, Collection<String> topics) {
        TwoRegions regions = new TwoRegions();
        // One registry after the other, beside the brokers: two Apicurio JVMs starting at once on a busy 2-core
        // machine can both miss their 60 s readiness deadline.
        CompletableFuture<SchemaRegistryServer> usRegistry =
                CompletableFuture.supplyAsync(() -> SchemaRegistryServer.start(dataDir.resolve("us-registry"), 0));
        CompletableFuture<SchemaRegistryServer> euRegistry = usRegistry.thenApplyAsync(
                started -> SchemaRegistryServer.start(dataDir.resolve("eu-registry"), 0));
        try {
            regions.add("us", KafkaBroker.start(dataDir.resolve("us-kafka"), 0));
            regions.add("eu", KafkaBroker.start(dataDir.resolve("eu-kafka"), 0));
            regions.add("us", usRegistry.get(3, TimeUnit.MINUTES));
            regions.add("eu", euRegistry.get(3, TimeUnit.MINUTES));
            regions.brokers.values().forEach(broker -> broker.createTopics(topics, PARTITIONS));
            // Two extra schemas in eu only: the same schema then has different ids in the two registries, so a
            // mirrored value decodes in eu only if its id was really translated.
            ConfluentRegistryClient eu = new ConfluentRegistryClient(regions.registries.get("eu").url());
            eu.register("natter-it-id-skew-1", ChatFanout.getClassSchema());
            eu.register("natter-it-id-skew-2", RoomState.getClassSchema());
            return regions;
        } catch (Exception e) {
            // A registry still starting must not outlive the test as an orphan JVM.
            for (CompletableFuture<SchemaRegistryServer> registry : List.of(usRegistry, euRegistry)) {
                registry.thenAccept(server -> {
                    if (!regions.started.contains(server)) {
                        server.close();
                    }
                });
            }
            regions.close();
            throw new IllegalStateException("could not start the two regions", e);
        }
    }

    private void add(String region, KafkaBroker broker) {
        brokers.put(region, broker);
        started.add(broker);
    }

    private void add(String region, SchemaRegistryServer registry) {
        registries.put(region, registry);
        started.add(registry);
    }

    /** The region as MirrorMaker sees it. */
    Region region(String alias) {
        return new Region(alias, bootstrap(alias), registries.get(alias).url());
    }

    String bootstrap(String alias) {
        return brokers.get(alias).bootstrapServers();
    }

    KafkaBroker broker(String alias) {
        return brokers.get(alias);
    }

    /** The topic catalogue bound to the region's registry, registering schemas on first write. */
    Topics topics(String alias) {
        return Topics.forRegistry(registries.get(alias).url());
    }

    /** The registry client of the region. */
    ConfluentRegistryClient registry(String alias) {
        return new ConfluentRegistryClient(registries.get(alias).url());
    }

    Admin admin(String alias) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(alias)));
    }

    Set<String> topicNames(String alias) {
        try (Admin admin = admin(alias)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot list topics of " + alias, e);
        }
    }

    /** A producer of raw bytes for Natter's serdes: acks=all, no linger. */
    <K, V> KafkaProducer<K, V> producer(String alias, org.apache.kafka.common.serialization.Serializer<K> keys,
            org.apache.kafka.common.serialization.Serializer<V> values) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(alias),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), keys, values);
    }

    /** A consumer of raw bytes without a group, for assign(). */
    KafkaConsumer<byte[], byte[]> rawConsumer(String alias) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(alias),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Stops the registries and brokers, newest first. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not stop every server", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
