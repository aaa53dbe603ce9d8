package io.natter.topologies;

import io.natter.schemas.Envelopes;
import io.natter.schemas.avro.AttachmentUploaded;
import io.natter.schemas.avro.ChatFanout;
import io.natter.schemas.avro.ChatMessageDeleted;
import io.natter.schemas.avro.ChatMessageEdited;
import io.natter.schemas.avro.ChatMessageSent;
import io.natter.schemas.avro.CommandRejected;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomCreated;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomMembershipEvent;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;

/** Turns an outcome into the enveloped events it publishes, each with its record key. */
public final class RoomEvents {
    public static final String ROOM_CREATED = "chat.room.created.v1";
    public static final String MEMBER_JOINED = "chat.room.member.joined.v1";
    public static final String MEMBER_LEFT = "chat.room.member.left.v1";
    public static final String ROOM_REHOMED = "chat.room.rehomed.v1";
    public static final String MESSAGE_SENT = "chat.message.sent.v1";
    public static final String MESSAGE_EDITED = "chat.message.edited.v1";
    public static final String MESSAGE_DELETED = "chat.message.deleted.v1";
    public static final String FANOUT = "chat.fanout.v1";
    public static final String REJECTED = "chat.message.rejected.v1";
    public static final String ATTACHMENT_UPLOADED = "chat.attachment.uploaded.v1";

    private final String region;
    private final Supplier<String> ids;

    /**
     * @param region written into every envelope
     * @param ids source of event ids
     */
    public RoomEvents(String region, Supplier<String> ids) {
        this.region = region;
        this.ids = ids;
    }

    /**
     * Events for {@code outcome} of {@code command} at {@code now}: keyed by room id, rejections (duplicates too)
     * by actor id.
     */
    public List<KeyValue<String, SpecificRecord>> of(RoomCommand command, Outcome outcome, Instant now) {
        String roomId = RoomCommandJudge.roomIdOf(command);
        return switch (outcome) {
            case Outcome.Rejected r -> List.of(KeyValue.pair(command.getActorId(),
                    rejected(command, roomId, r.code(), r.reason(), null, now)));
            case Outcome.Duplicate d -> List.of(KeyValue.pair(command.getActorId(),
                    rejected(command, roomId, RejectionCode.DUPLICATE, "already accepted as seq " + d.original().getSeq(),
                            d.original(), now)));
            case Outcome.Created c -> List.of(KeyValue.pair(roomId, membership(command, ROOM_CREATED, now, created(c.state()))));
            case Outcome.Joined j -> List.of(KeyValue.pair(roomId, membership(command, MEMBER_JOINED, now,
                    new MemberJoined(roomId, j.userId(), j.addedBy()))));
            case Outcome.Left l -> List.of(KeyValue.pair(roomId, membership(command, MEMBER_LEFT, now,
                    new MemberLeft(roomId, l.userId(), command.getActorId()))));
            case Outcome.Rehomed r -> List.of(KeyValue.pair(roomId,
                    membership(command.getCommandId(), ROOM_REHOMED, now, rehomed(r.state(), r.previousHome()))));
            case Outcome.Sent s -> List.of(
                    KeyValue.pair(roomId, new ChatMessageSent(MESSAGE_SENT, ids.get(), now, region,
                            Envelopes.SCHEMA_VERSION, s.message())),
                    KeyValue.pair(roomId, new ChatFanout(FANOUT, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                            fanout(command, s.state(), s.message()))));
            case Outcome.Edited e -> List.of(
                    KeyValue.pair(roomId, new ChatMessageEdited(MESSAGE_EDITED, ids.get(), now, region,
                            Envelopes.SCHEMA_VERSION, e.edit())),
                    KeyValue.pair(roomId, new ChatFanout(FANOUT, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                            fanout(command, e.state(), e.edit()))));
            case Outcome.Deleted d -> List.of(
                    KeyValue.pair(roomId, new ChatMessageDeleted(MESSAGE_DELETED, ids.get(), now, region,
                            Envelopes.SCHEMA_VERSION, d.deletion())),
                    KeyValue.pair(roomId, new ChatFanout(FANOUT, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                            fanout(command, d.state(), d.deletion()))));
            case Outcome.AttachmentRegistered r -> List.of(KeyValue.pair(roomId, new AttachmentUploaded(
                    ATTACHMENT_UPLOADED, ids.get(), now, region, Envelopes.SCHEMA_VERSION, r.attachment())));
            // A repeated registration and a removal change at most the store: no event.
            case Outcome.AttachmentAlreadyRegistered a -> List.of();
            case Outcome.AttachmentRemoved r -> List.of();
        };
    }

    /** The event for the room's members at the moment it was accepted. */
    private static Fanout fanout(RoomCommand command, RoomState state, Object event) {
        return new Fanout(state.getRoomId(), new ArrayList<>(state.getMembers()), command.getCommandId(),
                command.getOrigin(), event);
    }

    private static RoomCreated created(RoomState state) {
        return new RoomCreated(state.getRoomId(), state.getName(), state.getVisibility(), state.getOwnerId(),
                new ArrayList<>(state.getMembers()), state.getHomeRegion());
    }

    /**
     * The {@link RoomRehomed} event of a lazy re-home during failover: it answers no command, so it carries no
     * commandId (the edge must not take it for the verdict of the command that triggered it).
     */
    public KeyValue<String, SpecificRecord> failedOver(RoomState state, String previousHome, Instant now) {
        return KeyValue.pair(state.getRoomId(), membership((String) null, ROOM_REHOMED, now, rehomed(state, previousHome)));
    }

    private static RoomRehomed rehomed(RoomState state, String previousHome) {
        return new RoomRehomed(state.getRoomId(), state.getHomeRegion(), state.getEpoch(), state.getEpochFromSeq(),
                previousHome);
    }

    private RoomMembershipEvent membership(RoomCommand command, String eventType, Instant now, Object payload) {
        return membership(command.getCommandId(), eventType, now, payload);
    }

    private RoomMembershipEvent membership(String commandId, String eventType, Instant now, Object payload) {
        return new RoomMembershipEvent(eventType, ids.get(), now, region, Envelopes.SCHEMA_VERSION, commandId, payload);
    }

    private CommandRejected rejected(RoomCommand command, String roomId, RejectionCode code, String reason,
                                     SendReceipt original, Instant now) {
        String clientMsgId = command.getPayload() instanceof SendMessageRequested send ? send.getClientMsgId() : null;
        return new CommandRejected(REJECTED, ids.get(), now, region, Envelopes.SCHEMA_VERSION,
                new Rejection(command.getCommandId(), command.getActorId(), roomId, code.name(), reason, clientMsgId,
                        command.getOrigin(), original == null ? null : original.getMessageId(),
                        original == null ? null : original.getSeq(), original == null ? 0 : original.getEpoch()));
    }
}
