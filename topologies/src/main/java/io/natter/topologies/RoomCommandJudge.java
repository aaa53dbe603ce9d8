package io.natter.topologies;

import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.RehomeRoom;
import io.natter.schemas.avro.RegisterAttachment;
import io.natter.schemas.avro.RemoveAttachment;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import io.natter.schemas.avro.SendReceipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Judges one room command against the room's current state: the membership, ownership, authorship,
 * attachment and idempotency rules.
 * Pure apart from the id supplier, so the rules are tested without Kafka.
 */
public final class RoomCommandJudge {
    /** The actor of operator-issued commands ({@link RehomeRoom}); the edge never produces them. */
    public static final String OPERATOR = "operator";

    /** Most attachments one message may carry; the edge refuses more with the same code before writing. */
    public static final int MAX_ATTACHMENTS = 10;

    private final String region;
    private final Set<String> knownRegions;
    private final LongFunction<String> messageIds;

    /**
     * A judge for single-region mode.
     *
     * @param region the home region given to rooms created here
     * @param ids source of new message ids (tests); the topology names each message's seq in its id instead
     */
    public RoomCommandJudge(String region, Supplier<String> ids) {
        this(Regions.single(region), seq -> ids.get());
    }

    /**
     * @param regions this region (home of rooms created here) and the peers a room may be re-homed to
     * @param messageIds the id of a new message, given its seq ({@link MessageIds#forSeq} in production)
     */
    public RoomCommandJudge(Regions regions, LongFunction<String> messageIds) {
        this.region = regions.local();
        this.knownRegions = Set.copyOf(regions.all());
        this.messageIds = messageIds;
    }

    /** The room {@code state} moved to {@code newHome} under the next epoch, its seq continuing after lastSeq. */
    public static RoomState rehomed(RoomState state, String newHome) {
        return RoomState.newBuilder(state)
                .setHomeRegion(newHome)
                .setEpoch(state.getEpoch() + 1)
                .setEpochFromSeq(state.getLastSeq() + 1)
                .build();
    }

    /** The room a command is about: its payload's {@code roomId}. */
    public static String roomIdOf(RoomCommand command) {
        return switch (command.getPayload()) {
            case SendMessageRequested p -> p.getRoomId();
            case EditMessageRequested p -> p.getRoomId();
            case DeleteMessageRequested p -> p.getRoomId();
            case CreateRoomRequested p -> p.getRoomId();
            case JoinRoomRequested p -> p.getRoomId();
            case LeaveRoomRequested p -> p.getRoomId();
            case AddMemberRequested p -> p.getRoomId();
            case RehomeRoom p -> p.getRoomId();
            case RegisterAttachment p -> p.getRoomId();
            case RemoveAttachment p -> p.getRoomId();
            default -> throw new IllegalArgumentException("unknown command payload " + command.getPayload().getClass());
        };
    }

    /**
     * Decides {@code command} given the room's state ({@code null} when the room does not exist) at {@code now}.
     */
    public Outcome judge(RoomCommand command, RoomState room, Instant now) {
        return judge(command, RoomFacts.of(room), now);
    }

    /** Decides {@code command} given what is known about its room at {@code now}. */
    public Outcome judge(RoomCommand command, RoomFacts facts, Instant now) {
        String actor = command.getActorId();
        RoomState room = facts.room();
        return switch (command.getPayload()) {
            case CreateRoomRequested p -> create(p, room, actor, now);
            case JoinRoomRequested p -> join(p, room, actor);
            case LeaveRoomRequested p -> leave(p, room, actor);
            case AddMemberRequested p -> addMember(p, room, actor);
            case SendMessageRequested p -> send(p, facts, actor, now);
            case EditMessageRequested p -> edit(p, room, facts.target(), actor, now);
            case DeleteMessageRequested p -> delete(p, room, facts.target(), actor, now);
            case RehomeRoom p -> rehome(p, room, actor);
            case RegisterAttachment p -> register(p, room, facts.attachments().get(p.getAttachment().getAttachmentId()));
            case RemoveAttachment p -> new Outcome.AttachmentRemoved(p.getRoomId(), p.getAttachmentId());
            default -> throw new IllegalArgumentException("unknown command payload " + command.getPayload().getClass());
        };
    }

    private Outcome create(CreateRoomRequested p, RoomState room, String actor, Instant now) {
        if (room != null) {
            return new Outcome.Rejected(RejectionCode.ROOM_EXISTS, "room " + p.getRoomId() + " already exists");
        }
        LinkedHashSet<String> members = new LinkedHashSet<>();
        members.add(actor);
        members.addAll(p.getMembers());
        return new Outcome.Created(RoomState.newBuilder()
                .setRoomId(p.getRoomId())
                .setName(p.getName())
                .setVisibility(p.getVisibility())
                .setOwnerId(actor)
                .setMembers(new ArrayList<>(members))
                .setHomeRegion(region)
                .setCreatedAt(now)
                .setLastSeq(0)
                .setLastActivityAt(null)
                .setMessageCount(0)
                .build());
    }

    private Outcome rehome(RehomeRoom p, RoomState room, String actor) {
        if (!OPERATOR.equals(actor)) {
            return new Outcome.Rejected(RejectionCode.UNSUPPORTED_COMMAND, "only the operator re-homes rooms");
        }
        if (room == null) {
            return notFound(p.getRoomId());
        }
        if (!knownRegions.contains(p.getToRegion())) {
            return new Outcome.Rejected(RejectionCode.UNKNOWN_REGION, "unknown region " + p.getToRegion());
        }
        if (room.getHomeRegion().equals(p.getToRegion())) {
            return new Outcome.Rejected(RejectionCode.ALREADY_HOME,
                    "room " + p.getRoomId() + " is already homed in " + p.getToRegion());
        }
        return new Outcome.Rehomed(rehomed(room, p.getToRegion()), room.getHomeRegion());
    }

    private Outcome join(JoinRoomRequested p, RoomState room, String actor) {
        if (!visibleTo(room, actor)) {
            return notFound(p.getRoomId());
        }
        if (isMember(room, actor)) {
            return new Outcome.Rejected(RejectionCode.ALREADY_MEMBER, actor + " is already a member of " + p.getRoomId());
        }
        return new Outcome.Joined(withMembers(room, plus(room.getMembers(), actor)), actor, actor);
    }

    private Outcome leave(LeaveRoomRequested p, RoomState room, String actor) {
        if (!visibleTo(room, actor)) {
            return notFound(p.getRoomId());
        }
        if (!isMember(room, actor)) {
            return notAMember(p.getRoomId(), actor);
        }
        if (room.getOwnerId().equals(actor)) {
            return new Outcome.Rejected(RejectionCode.OWNER_CANNOT_LEAVE, "the owner cannot leave room " + p.getRoomId());
        }
        List<String> members = new ArrayList<>(room.getMembers());
        members.remove(actor);
        return new Outcome.Left(withMembers(room, members), actor);
    }

    private Outcome addMember(AddMemberRequested p, RoomState room, String actor) {
        if (!visibleTo(room, actor)) {
            return notFound(p.getRoomId());
        }
        if (!room.getOwnerId().equals(actor)) {
            return new Outcome.Rejected(RejectionCode.NOT_ROOM_OWNER, "only the owner can add members to " + p.getRoomId());
        }
        if (isMember(room, p.getUserId())) {
            return new Outcome.Rejected(RejectionCode.ALREADY_MEMBER,
                    p.getUserId() + " is already a member of " + p.getRoomId());
        }
        return new Outcome.Joined(withMembers(room, plus(room.getMembers(), p.getUserId())), p.getUserId(), actor);
    }

    private Outcome send(SendMessageRequested p, RoomFacts facts, String actor, Instant now) {
        RoomState room = facts.room();
        SendReceipt priorSend = facts.priorSend();
        if (!visibleTo(room, actor)) {
            return notFound(p.getRoomId());
        }
        if (priorSend != null) {
            // Checked before membership: a retry gets the answer the original got, even if the sender left since.
            return new Outcome.Duplicate(priorSend);
        }
        if (!isMember(room, actor)) {
            return notAMember(p.getRoomId(), actor);
        }
        List<AttachmentRef> attachments = new ArrayList<>();
        Outcome refused = resolveAttachments(p, facts.attachments(), attachments);
        if (refused != null) {
            return refused;
        }
        long seq = room.getLastSeq() + 1;
        ChatMessage message = ChatMessage.newBuilder()
                .setMessageId(messageIds.apply(seq))
                .setRoomId(p.getRoomId())
                .setSenderId(actor)
                .setContent(p.getContent())
                .setSentAt(now)
                .setSeq(seq)
                .setClientMsgId(p.getClientMsgId())
                .setAttachments(attachments)
                .setEpoch(room.getEpoch())
                .build();
        RoomState next = RoomState.newBuilder(room)
                .setLastSeq(seq)
                .setLastActivityAt(now)
                .setMessageCount(room.getMessageCount() + 1)
                .build();
        return new Outcome.Sent(next, message);
    }

    /**
     * Adds the metadata of each attachment the send names, in the order given, to {@code refs}; the refusal if
     * there are too many, one repeats, or one is not registered for the send's room; else {@code null}.
     */
    private static Outcome resolveAttachments(SendMessageRequested p, Map<String, AttachmentMetadata> registered,
                                              List<AttachmentRef> refs) {
        List<String> ids = p.getAttachmentIds();
        if (ids.size() > MAX_ATTACHMENTS) {
            return new Outcome.Rejected(RejectionCode.TOO_MANY_ATTACHMENTS,
                    "a message carries at most " + MAX_ATTACHMENTS + " attachments, not " + ids.size());
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                return new Outcome.Rejected(RejectionCode.DUPLICATE_ATTACHMENT, "attachment " + id + " is named twice");
            }
            AttachmentMetadata metadata = registered.get(id);
            // The room check guards the store key too: one room's attachment never serves another's send.
            if (metadata == null || !metadata.getRoomId().equals(p.getRoomId())) {
                return new Outcome.Rejected(RejectionCode.ATTACHMENT_NOT_FOUND,
                        "attachment " + id + " not found in room " + p.getRoomId());
            }
            refs.add(new AttachmentRef(metadata.getAttachmentId(), metadata.getFileName(), metadata.getMimeType(),
                    metadata.getSize()));
        }
        return null;
    }

    /**
     * A registration from the attachment-api (trusted, so no actor check): its attachment must belong to the
     * command's room, which must exist; a repeat keeps the first registration.
     */
    private static Outcome register(RegisterAttachment p, RoomState room, AttachmentMetadata existing) {
        AttachmentMetadata attachment = p.getAttachment();
        if (!attachment.getRoomId().equals(p.getRoomId())) {
            return new Outcome.Rejected(RejectionCode.ATTACHMENT_ROOM_MISMATCH, "attachment "
                    + attachment.getAttachmentId() + " belongs to room " + attachment.getRoomId() + ", not " + p.getRoomId());
        }
        if (room == null) {
            return notFound(p.getRoomId());
        }
        if (existing != null) {
            return new Outcome.AttachmentAlreadyRegistered(existing);
        }
        return new Outcome.AttachmentRegistered(attachment);
    }

    private static Outcome edit(EditMessageRequested p, RoomState room, HistoryEntry target, String actor, Instant now) {
        Outcome refused = refuseMessageCommand(room, target, actor, p.getRoomId(), p.getMessageId());
        if (refused != null) {
            return refused;
        }
        ChatMessage message = target.getMessage();
        if (!message.getSenderId().equals(actor)) {
            return new Outcome.Rejected(RejectionCode.NOT_MESSAGE_AUTHOR,
                    "only the author can edit message " + p.getMessageId());
        }
        HistoryEntry edited = HistoryEntry.newBuilder(target)
                .setMessage(ChatMessage.newBuilder(message).setContent(p.getContent()).build())
                .setEditedAt(now)
                .build();
        return new Outcome.Edited(room, edited,
                new MessageEdit(message.getMessageId(), message.getRoomId(), message.getSeq(), actor, p.getContent(), now,
                        room.getEpoch()));
    }

    private static Outcome delete(DeleteMessageRequested p, RoomState room, HistoryEntry target, String actor,
                                  Instant now) {
        Outcome refused = refuseMessageCommand(room, target, actor, p.getRoomId(), p.getMessageId());
        if (refused != null) {
            return refused;
        }
        ChatMessage message = target.getMessage();
        if (!message.getSenderId().equals(actor) && !room.getOwnerId().equals(actor)) {
            return new Outcome.Rejected(RejectionCode.NOT_MESSAGE_AUTHOR,
                    "only the author or the room owner can delete message " + p.getMessageId());
        }
        HistoryEntry deleted = HistoryEntry.newBuilder(target)
                .setMessage(ChatMessage.newBuilder(message).setContent("").setAttachments(List.of()).build())
                .setDeletedAt(now)
                .setDeletedBy(actor)
                .build();
        return new Outcome.Deleted(room, deleted,
                new MessageDeletion(message.getMessageId(), message.getRoomId(), message.getSeq(), actor, now,
                        room.getEpoch()));
    }

    /** The refusal shared by edit and delete (hidden room, non-member, unknown or deleted message), else {@code null}. */
    private static Outcome refuseMessageCommand(RoomState room, HistoryEntry target, String actor, String roomId,
                                                String messageId) {
        if (!visibleTo(room, actor)) {
            return notFound(roomId);
        }
        if (!isMember(room, actor)) {
            return notAMember(roomId, actor);
        }
        if (target == null || target.getDeletedAt() != null) {
            return new Outcome.Rejected(RejectionCode.MESSAGE_NOT_FOUND,
                    "message " + messageId + " not found in room " + roomId);
        }
        return null;
    }

    /** Private rooms do not exist for non-members. */
    private static boolean visibleTo(RoomState room, String actor) {
        return room != null && (room.getVisibility() == RoomVisibility.PUBLIC || isMember(room, actor));
    }

    private static boolean isMember(RoomState room, String userId) {
        return room.getMembers().contains(userId);
    }

    private static List<String> plus(List<String> members, String userId) {
        List<String> next = new ArrayList<>(members);
        next.add(userId);
        return next;
    }

    private static RoomState withMembers(RoomState room, List<String> members) {
        return RoomState.newBuilder(room).setMembers(members).build();
    }

    private static Outcome notFound(String roomId) {
        return new Outcome.Rejected(RejectionCode.ROOM_NOT_FOUND, "room " + roomId + " not found");
    }

    private static Outcome notAMember(String roomId, String actor) {
        return new Outcome.Rejected(RejectionCode.NOT_A_MEMBER, actor + " is not a member of " + roomId);
    }
}
