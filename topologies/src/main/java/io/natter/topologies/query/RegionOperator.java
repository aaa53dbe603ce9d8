package io.natter.topologies.query;

import io.natter.schemas.Envelopes;
import io.natter.schemas.Topic;
import io.natter.schemas.Topics;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.RegionAvailability;
import io.natter.schemas.avro.RegionStatus;
import io.natter.schemas.avro.RegionStatusDeclared;
import io.natter.schemas.avro.RehomeRoom;
import io.natter.schemas.avro.RoomCommand;
import io.natter.topologies.RegionFence;
import io.natter.topologies.Regions;
import io.natter.topologies.RoomCommandJudge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The operator side of cross-region failover: declares a region down or up on this cluster's
 * {@code chat.region.status.v1}, lists the declarations, and asks a room's home to move it ({@link RehomeRoom}
 * on the local command topic, which reaches the home directly or through MirrorMaker 2).
 */
public final class RegionOperator implements AutoCloseable {
    /** How long a call waits for Kafka to take its record, and for a declaration to show in the global table. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Event type of the operator's re-home command. */
    public static final String REHOME_REQUESTED = "chat.room.rehome.requested.v1";
    /** Event type of a region status declaration. */
    public static final String REGION_STATUS = "chat.region.status.v1";

    /**
     * JSON of one region in {@code GET /internal/regions}; for the local region also its {@code fence}
     * (OPEN, FENCED, UNFENCING) and what each peer, read on the peer's cluster, declares of it ({@code peersSay}).
     */
    public record RegionView(String region, boolean local, String status, String declaredBy, String reason,
                             Instant declaredAt, String fence, Map<String, String> peersSay) {
        RegionView(String region, boolean local, String status, String declaredBy, String reason, Instant declaredAt) {
            this(region, local, status, declaredBy, reason, declaredAt, null, null);
        }
    }

    /** JSON answer of {@code POST /internal/rooms/{roomId}/rehome}: the command was written; the home judges it. */
    public record RehomeRequested(String commandId, String roomId, String toRegion) {}

    private final Regions regions;
    private final Topic<String, RegionStatus> statusTopic;
    private final Topic<String, RoomCommand> commandTopic;
    private final Supplier<ReadOnlyKeyValueStore<String, RegionStatus>> statuses;
    private final Producer<String, byte[]> producer;
    private final String nodeId;
    private final Clock clock;
    private final RegionFence fence;

    /**
     * @param statuses the {@code region-status} global table of this instance (queried, so it may throw while
     *                 the instance starts)
     * @param nodeId written as the origin of the operator's commands
     */
    public RegionOperator(Regions regions, Topics topics, String bootstrapServers, String nodeId,
                          Supplier<ReadOnlyKeyValueStore<String, RegionStatus>> statuses, Clock clock,
                          RegionFence fence) {
        this.regions = regions;
        this.fence = fence;
        this.statusTopic = topics.regionStatus();
        this.commandTopic = topics.messageRequested();
        this.statuses = statuses;
        this.nodeId = nodeId;
        this.clock = clock;
        this.producer = regions.multiRegion() ? new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, nodeId + "-operator",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis() / 2),
                new StringSerializer(), new ByteArraySerializer()) : null;
    }

    /** Every known region (local first) with its last declaration on this cluster; undeclared = UP. */
    public List<RegionView> regions() {
        List<RegionView> views = new ArrayList<>();
        for (String region : regions.all()) {
            RegionStatus status = regions.multiRegion() ? readStatus(region) : null;
            RegionView view = status == null
                    ? new RegionView(region, region.equals(regions.local()), RegionAvailability.UP.name(), null, null, null)
                    : view(status);
            if (view.local()) {
                Map<String, String> said = new LinkedHashMap<>();
                fence.opinions(regions.peers()).forEach((peer, opinion) -> said.put(peer, opinion.name()));
                view = new RegionView(view.region(), true, view.status(), view.declaredBy(), view.reason(),
                        view.declaredAt(), fence.state().name(), said);
            }
            views.add(view);
        }
        return views;
    }

    /**
     * Records that {@code region} is {@code status} as seen from here, and waits until this instance's global
     * table shows it (so a command judged after the answer sees it on this instance).
     */
    public RegionView declare(String region, RegionAvailability status, String declaredBy, String reason) {
        requireMultiRegion();
        if (region.equals(regions.local())) {
            throw new QueryException.Conflict("LOCAL_REGION",
                    "region " + region + " is this one; declare it down on the surviving region's topologies");
        }
        if (!regions.knows(region)) {
            throw new QueryException.InvalidRequest("unknown region " + region + "; peers are " + regions.peers());
        }
        String eventId = UUID.randomUUID().toString();
        RegionStatus record = new RegionStatus(REGION_STATUS, eventId, clock.instant(), regions.local(),
                Envelopes.SCHEMA_VERSION, new RegionStatusDeclared(region,
                status, declaredBy == null || declaredBy.isBlank() ? RoomCommandJudge.OPERATOR : declaredBy, reason));
        write(statusTopic, region, record);
        awaitStatus(region, eventId);
        return view(record);
    }

    /** Writes a {@link RehomeRoom} for {@code roomId}; the room's current home judges it in the room's order. */
    public RehomeRequested rehome(String roomId, String toRegion) {
        requireMultiRegion();
        if (toRegion == null || !regions.knows(toRegion)) {
            throw new QueryException.InvalidRequest("toRegion must be one of " + regions.all() + ", got " + toRegion);
        }
        String commandId = UUID.randomUUID().toString();
        RoomCommand command = new RoomCommand(REHOME_REQUESTED, UUID.randomUUID().toString(), clock.instant(),
                regions.local(), Envelopes.SCHEMA_VERSION, commandId, RoomCommandJudge.OPERATOR,
                new Origin(nodeId, null), new RehomeRoom(roomId, toRegion));
        write(commandTopic, roomId, command);
        return new RehomeRequested(commandId, roomId, toRegion);
    }

    private <V> void write(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, bytes))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new QueryException.Unavailable("could not write to " + topic.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException.Unavailable("interrupted writing to " + topic.name(), e);
        }
    }

    private void awaitStatus(String region, String eventId) {
        long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            RegionStatus current = readStatus(region);
            if (current != null && current.getEventId().equals(eventId)) {
                return;
            }
            // The global thread applies the record within a poll; a handler thread (virtual) may park meanwhile.
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new QueryException.Unavailable("declaration of " + region + " written but not visible here within "
                + WRITE_TIMEOUT, null);
    }

    private RegionStatus readStatus(String region) {
        try {
            return statuses.get().get(region);
        } catch (RuntimeException e) {
            throw new QueryException.Unavailable("region status not queryable now: " + e.getMessage(), e);
        }
    }

    private RegionView view(RegionStatus status) {
        RegionStatusDeclared declared = status.getPayload();
        return new RegionView(declared.getRegion(), declared.getRegion().equals(regions.local()),
                declared.getStatus().name(), declared.getDeclaredBy(), declared.getReason(), status.getOccurredAt());
    }

    private void requireMultiRegion() {
        if (!regions.multiRegion()) {
            throw new QueryException.Conflict("SINGLE_REGION", "no peer regions configured (NATTER_PEER_REGIONS)");
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
