package io.natter.topologies;

import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.RoomCommand;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * Judges one room command against the room's current state: the membership and ownership rules.
 * Pure apart from the id supplier, so the rules are tested without Kafka.
 */
public final class RoomCommandJudge {
    private final String region;
    private final Supplier<String> ids;

    /**
     * @param region the home region given to rooms created here
     * @param ids source of new message ids
     */
    public RoomCommandJudge(String region, Supplier<String> ids) {
        this.region = region;
        this.ids = ids;
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
            default -> throw new IllegalArgumentException("unknown command payload " + command.getPayload().getClass());
        };
    }

    /**
     * Decides {@code command} given the room's state ({@code null} when the room does not exist) at {@code now}.
     */
    public Outcome judge(RoomCommand command, RoomState room, Instant now) {
        String actor = command.getActorId();
        return switch (command.getPayload()) {
            case CreateRoomRequested p -> create(p, room, actor, now);
            case JoinRoomRequested p -> join(p, room, actor);
            case LeaveRoomRequested p -> leave(p, room, actor);
            case AddMemberRequested p -> addMember(p, room, actor);
            case SendMessageRequested p -> send(p, room, actor, now);
            case EditMessageRequested p -> unsupported("editing messages");
            case DeleteMessageRequested p -> unsupported("deleting messages");
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

    private Outcome send(SendMessageRequested p, RoomState room, String actor, Instant now) {
        if (!visibleTo(room, actor)) {
            return notFound(p.getRoomId());
        }
        if (!isMember(room, actor)) {
            return notAMember(p.getRoomId(), actor);
        }
        if (!p.getAttachmentIds().isEmpty()) {
            // Attachment metadata is not resolvable here yet; refusing beats silently dropping the files.
            return unsupported("attachments");
        }
        long seq = room.getLastSeq() + 1;
        ChatMessage message = ChatMessage.newBuilder()
                .setMessageId(ids.get())
                .setRoomId(p.getRoomId())
                .setSenderId(actor)
                .setContent(p.getContent())
                .setSentAt(now)
                .setSeq(seq)
                .setClientMsgId(p.getClientMsgId())
                .setAttachments(List.of())
                .build();
        RoomState next = RoomState.newBuilder(room)
                .setLastSeq(seq)
                .setLastActivityAt(now)
                .setMessageCount(room.getMessageCount() + 1)
                .build();
        return new Outcome.Sent(next, message);
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

    private static Outcome unsupported(String what) {
        return new Outcome.Rejected(RejectionCode.UNSUPPORTED_COMMAND, what + " is not supported yet");
    }
}
