package io.natter.topologies;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.TopicNames;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the events other regions' topologies published (mirrored here by MirrorMaker 2) to the same stores the
 * commands use, so this region serves history, resume and membership checks for rooms homed elsewhere and, after
 * a failover, continues their seq and deduplicates retries. Emits nothing: the home region already published.
 *
 * <p>Rules: the home region is the authority for its rooms, so mirrored membership changes, edits and deletions
 * of a room homed here are ignored; a message is applied when it is of the room's current epoch and newer than
 * {@code lastSeq}, or of an older epoch but below {@code epochFromSeq} (late history); anything else of an older
 * epoch was superseded by a re-home; one of a newer epoch overtook its {@link RoomRehomed} and is kept. A {@link RoomRehomed} of a newer epoch moves the room and drops this
 * region's own messages of older epochs at or above its {@code fromSeq} (fail-back).
 */
final class ReplicaProcessor implements Processor<String, SpecificRecord, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaProcessor.class);
    /**
     * MirrorMaker's stamp of each mirrored record's source offset (8-byte big-endian; mirrormaker's
     * {@code UpstreamOffsets.HEADER}, named here so the topologies do not depend on the Connect runtime).
     */
    static final String UPSTREAM_OFFSET_HEADER = "natter.mm2.upstream-offset";

    private final Regions regions;
    private final Retention retention;
    private final Clock clock;
    private KeyValueStore<String, RoomState> rooms;
    private SendReceipts receipts;
    private RoomHistory history;
    private KeyValueStore<String, Long> replicaOffsets;
    private ProcessorContext<Void, Void> context;

    ReplicaProcessor(Regions regions, Retention retention, Clock clock) {
        this.regions = regions;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.replicaOffsets = context.getStateStore(RoomTopology.REPLICA_OFFSETS_STORE);
        this.rooms = context.getStateStore(RoomTopology.ROOM_STATE_STORE);
        this.receipts = new SendReceipts(context.getStateStore(RoomTopology.SEND_RECEIPTS_STORE), retention);
        this.history = new RoomHistory(context.getStateStore(RoomTopology.HISTORY_STORE), retention);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        switch (record.value()) {
            case null -> LOG.warn("ignoring mirrored tombstone with key {}", record.key());
            case RoomMembershipEvent e -> membership(e);
            case ChatMessageSent s -> sent(s.getPayload());
            case ChatMessageEdited e -> edited(e.getPayload());
            case ChatMessageDeleted d -> deleted(d.getPayload());
            default -> LOG.warn("ignoring mirrored {} with key {}", record.value().getClass().getSimpleName(), record.key());
        }
        rememberMembershipOffset(record);
    }

    /**
     * After a mirrored membership record is applied, stores its upstream offset (MirrorMaker's stamp) by peer: how
     * far this task's replica caught up with the peer's membership partition, which lifts a {@link RegionFence}.
     */
    private void rememberMembershipOffset(Record<String, SpecificRecord> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        for (String peer : regions.peers()) {
            if (topic.equals(peer + "." + TopicNames.ROOM_MEMBERSHIP)) {
                Header stamp = record.headers().lastHeader(UPSTREAM_OFFSET_HEADER);
                if (stamp == null || stamp.value() == null || stamp.value().length != Long.BYTES) {
                    LOG.warn("mirrored membership record from {} without an upstream-offset stamp", peer);
                    return;
                }
                long upstream = ByteBuffer.wrap(stamp.value()).getLong();
                Long before = replicaOffsets.get(peer);
                if (before == null || upstream > before) {
                    replicaOffsets.put(peer, upstream);
                }
                return;
            }
        }
    }

    private void membership(RoomMembershipEvent event) {
        switch (event.getPayload()) {
            case RoomCreated c -> created(c, event);
            case MemberJoined j -> members(j.getRoomId(), j.getUserId(), true);
            case MemberLeft l -> members(l.getRoomId(), l.getUserId(), false);
            case RoomRehomed r -> rehomed(r);
            default -> LOG.warn("ignoring mirrored membership payload {}", event.getPayload().getClass().getSimpleName());
        }
    }

    private void created(RoomCreated c, RoomMembershipEvent event) {
        RoomState room = rooms.get(c.getRoomId());
        RoomState replica = RoomState.newBuilder()
                .setRoomId(c.getRoomId())
                .setName(c.getName())
                .setVisibility(c.getVisibility())
                .setOwnerId(c.getOwnerId())
                .setMembers(new ArrayList<>(c.getMembers()))
                .setHomeRegion(c.getHomeRegion())
                .setCreatedAt(event.getOccurredAt())
                .setLastSeq(0)
                .setLastActivityAt(null)
                .setMessageCount(0)
                .setEpoch(0)
                .setEpochFromSeq(1)
                .build();
        if (room == null) {
            rooms.put(c.getRoomId(), withEarlyMessages(replica));
            return;
        }
        if (room.getHomeRegion().equals(c.getHomeRegion())) {
            return; // a copy MirrorMaker delivered again
        }
        // Created in two regions within the replication lag: the lexicographically smaller region wins everywhere.
        if (room.getEpoch() == 0 && c.getHomeRegion().compareTo(room.getHomeRegion()) < 0) {
            LOG.warn("room {} was created both in {} and in {}; {} wins, this region's copy becomes its replica",
                    c.getRoomId(), room.getHomeRegion(), c.getHomeRegion(), c.getHomeRegion());
            history.supersede(c.getRoomId(), 0, 1).forEach(receipts::forget);
            rooms.put(c.getRoomId(), replica);
        } else {
            LOG.warn("room {} was created both in {} and in {}; keeping {}", c.getRoomId(), room.getHomeRegion(),
                    c.getHomeRegion(), room.getHomeRegion());
        }
    }

    private void members(String roomId, String userId, boolean joined) {
        RoomState room = replicaOf(roomId);
        if (room == null) {
            return;
        }
        List<String> members = new ArrayList<>(room.getMembers());
        boolean changed = joined ? !members.contains(userId) && members.add(userId) : members.remove(userId);
        if (changed) {
            rooms.put(roomId, RoomState.newBuilder(room).setMembers(members).build());
        }
    }

    private void rehomed(RoomRehomed r) {
        RoomState room = rooms.get(r.getRoomId());
        if (room == null) {
            LOG.warn("ignoring re-home of unknown room {} to {}", r.getRoomId(), r.getHomeRegion());
            return;
        }
        if (r.getEpoch() <= room.getEpoch()) {
            return; // known already: this region made it, or a copy delivered again
        }
        List<ChatMessage> superseded = history.supersede(r.getRoomId(), r.getFromSeq(), r.getEpoch());
        superseded.forEach(receipts::forget);
        // Messages of the new epoch that overtook this RoomRehomed are already in history.
        List<ChatMessage> early = history.messages(r.getRoomId()).stream()
                .filter(m -> m.getEpoch() == r.getEpoch() && m.getSeq() >= r.getFromSeq()).toList();
        if (!superseded.isEmpty()) {
            LOG.warn("room {} moved to {} at epoch {}: {} messages of seq >= {} sequenced here under an older epoch"
                    + " were never replicated and are superseded", r.getRoomId(), r.getHomeRegion(), r.getEpoch(),
                    superseded.size(), r.getFromSeq());
        }
        rooms.put(r.getRoomId(), RoomState.newBuilder(room)
                .setHomeRegion(r.getHomeRegion())
                .setEpoch(r.getEpoch())
                .setEpochFromSeq(r.getFromSeq())
                .setLastSeq(early.isEmpty() ? r.getFromSeq() - 1 : early.getLast().getSeq())
                .setLastActivityAt(early.isEmpty() ? room.getLastActivityAt() : early.getLast().getSentAt())
                .setMessageCount(Math.max(0, room.getMessageCount() - superseded.size()) + early.size())
                .build());
    }

    private void sent(ChatMessage message) {
        String roomId = message.getRoomId();
        RoomState room = rooms.get(roomId);
        if (room == null) {
            // MirrorMaker copies each topic on its own, so a room's first messages can overtake its RoomCreated:
            // keep them in history; the RoomCreated counts them in when it arrives.
            append(message);
            return;
        }
        if (message.getEpoch() == room.getEpoch()) {
            if (room.getHomeRegion().equals(regions.local()) || message.getSeq() <= room.getLastSeq()) {
                return; // this region sequences the room, or a copy delivered again
            }
            append(message);
            rooms.put(roomId, RoomState.newBuilder(room)
                    .setLastSeq(message.getSeq())
                    .setLastActivityAt(message.getSentAt())
                    .setMessageCount(room.getMessageCount() + 1)
                    .build());
        } else if (message.getEpoch() < room.getEpoch() && message.getSeq() < room.getEpochFromSeq()) {
            // Sequenced before the re-home by the previous home, arriving late: history, not superseded.
            if (!history.has(roomId, message.getSeq())) {
                append(message);
                rooms.put(roomId, RoomState.newBuilder(room).setMessageCount(room.getMessageCount() + 1).build());
            }
        } else if (message.getEpoch() > room.getEpoch()) {
            // Its RoomRehomed (another topic) is still on the way: keep the message, replacing whatever older-epoch
            // entry holds its seq; the RoomRehomed counts it in.
            ChatMessage replaced = history.removeOlder(roomId, message.getSeq(), message.getEpoch());
            if (replaced != null) {
                receipts.forget(replaced);
                rooms.put(roomId, RoomState.newBuilder(room)
                        .setMessageCount(Math.max(0, room.getMessageCount() - 1)).build());
            }
            append(message);
        }
        // else: an older epoch at or above the re-home's fromSeq was superseded.
    }

    /** {@code replica} with the messages that arrived before its RoomCreated counted in (lastSeq, count, activity). */
    private RoomState withEarlyMessages(RoomState replica) {
        List<ChatMessage> early = history.messages(replica.getRoomId());
        if (early.isEmpty()) {
            return replica;
        }
        ChatMessage newest = early.getLast();
        return RoomState.newBuilder(replica)
                .setLastSeq(newest.getSeq())
                .setLastActivityAt(newest.getSentAt())
                .setMessageCount(early.size())
                .build();
    }

    private void append(ChatMessage message) {
        history.append(message, clock.instant());
        receipts.remember(message);
    }

    private void edited(MessageEdit edit) {
        HistoryEntry target = replicaTarget(edit.getRoomId(), edit.getMessageId());
        if (target != null) {
            history.replace(HistoryEntry.newBuilder(target)
                    .setMessage(ChatMessage.newBuilder(target.getMessage()).setContent(edit.getContent()).build())
                    .setEditedAt(edit.getEditedAt())
                    .build());
        }
    }

    private void deleted(MessageDeletion deletion) {
        HistoryEntry target = replicaTarget(deletion.getRoomId(), deletion.getMessageId());
        if (target != null) {
            history.replace(HistoryEntry.newBuilder(target)
                    .setMessage(ChatMessage.newBuilder(target.getMessage()).setContent("").setAttachments(List.of()).build())
                    .setDeletedAt(deletion.getDeletedAt())
                    .setDeletedBy(deletion.getDeletedBy())
                    .build());
        }
    }

    /** The retained entry an edit or deletion from another region applies to; superseded messages are gone. */
    private HistoryEntry replicaTarget(String roomId, String messageId) {
        RoomState replica = replicaOf(roomId);
        return replica == null ? null : history.find(roomId, messageId, replica.getLastSeq());
    }

    /** The room if it is a replica here (homed elsewhere); the home's own judgement wins over mirrored changes. */
    private RoomState replicaOf(String roomId) {
        RoomState room = rooms.get(roomId);
        if (room == null) {
            LOG.warn("ignoring mirrored change of unknown room {}", roomId);
            return null;
        }
        return room.getHomeRegion().equals(regions.local()) ? null : room;
    }
}
