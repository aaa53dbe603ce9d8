package io.natter.edge.rooms;

import io.natter.edge.Identifiers;
import io.natter.edge.error.DroppedException;
import io.natter.edge.error.EdgeException;
import io.natter.edge.MessageText;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.error.InvalidRequestException;
import io.natter.edge.error.UnavailableException;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.kafka.CommandDroppedException;
import io.natter.edge.kafka.CommandPublisher;
import io.natter.schemas.avro.AddMemberRequested;
import io.natter.schemas.avro.CreateRoomRequested;
import io.natter.schemas.avro.DeleteMessageRequested;
import io.natter.schemas.avro.EditMessageRequested;
import io.natter.schemas.avro.JoinRoomRequested;
import io.natter.schemas.avro.LeaveRoomRequested;
import io.natter.schemas.avro.RoomVisibility;
import io.natter.schemas.avro.SendMessageRequested;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns room requests into commands on the room's ordered path. Every request waits for the topology's
 * verdict (so an acknowledged change is in force for later commands, and a send is answered exactly once:
 * sequenced, refused, dropped, or timed out). During a Kafka outage room writes (send, edit, delete) wait in the
 * publisher's outage buffer, their timeout starting when Kafka takes them; membership changes are refused at once.
 */
public final class RoomService {
    private final CommandPublisher publisher;
    private final RoomCommands commands;
    private final PendingRequests pending;

    public RoomService(CommandPublisher publisher, RoomCommands commands, PendingRequests pending) {
        this.publisher = publisher;
        this.commands = commands;
        this.pending = pending;
    }

    /** Creates a room owned by {@code actorId}; blocks until the topology created it. Returns the room id. */
    public String createRoom(String actorId, CreateRoomRequest request) {
        String roomId = request.roomId() != null ? request.roomId() : UUID.randomUUID().toString();
        requireId("roomId", roomId);
        if (request.name() == null || request.name().isBlank()) {
            throw new InvalidRequestException("name is required");
        }
        String nameProblem = MessageText.problem("name", request.name());
        if (nameProblem != null) {
            throw new InvalidRequestException(nameProblem);
        }
        RoomVisibility visibility = switch (request.visibility() == null ? "" : request.visibility()) {
            case "public" -> RoomVisibility.PUBLIC;
            case "private" -> RoomVisibility.PRIVATE;
            default -> throw new InvalidRequestException("visibility must be \"public\" or \"private\"");
        };
        LinkedHashSet<String> members = new LinkedHashSet<>();
        for (String member : request.members() == null ? List.<String>of() : request.members()) {
            requireId("members[]", member);
            members.add(member);
        }
        await(membership(actorId, null, roomId,
                new CreateRoomRequested(roomId, request.name().trim(), visibility, new ArrayList<>(members))));
        return roomId;
    }

    /** The owner {@code actorId} adds a user; blocks until the member joined (or already was one). */
    public MemberAdded addMember(String actorId, String roomId, AddMemberRequest request) {
        requireId("roomId", roomId);
        requireId("userId", request.userId());
        await(membership(actorId, null, roomId, new AddMemberRequested(roomId, request.userId())));
        return new MemberAdded(roomId, request.userId());
    }

    /** {@code actorId} joins a public room; completes when the join is in force. */
    public CompletableFuture<Verdict> join(String actorId, String sessionId, String roomId) {
        return membership(actorId, sessionId, roomId, new JoinRoomRequested(roomId));
    }

    /** {@code actorId} leaves a room; completes when the leave is in force. */
    public CompletableFuture<Verdict> leave(String actorId, String sessionId, String roomId) {
        return membership(actorId, sessionId, roomId, new LeaveRoomRequested(roomId));
    }

    /** Sends a message; completes {@link Verdict.Sequenced} (also for a DUPLICATE retry), or fails once. */
    public CompletableFuture<Verdict> send(String actorId, String sessionId, ClientFrame.SendMessage send) {
        return write(actorId, sessionId, send.roomId(),
                new SendMessageRequested(send.roomId(), Objects.requireNonNullElse(send.content(), ""), send.clientMsgId(),
                        send.attachments()));
    }

    /** The author edits a message; completes when the edit is sequenced (members get MESSAGE_EDITED). */
    public CompletableFuture<Verdict> edit(String actorId, String sessionId, ClientFrame.EditMessage edit) {
        return write(actorId, sessionId, edit.roomId(),
                new EditMessageRequested(edit.roomId(), edit.messageId(), edit.content()));
    }

    /** The author or owner deletes a message; completes when done (members get MESSAGE_DELETED). */
    public CompletableFuture<Verdict> delete(String actorId, String sessionId, ClientFrame.DeleteMessage delete) {
        return write(actorId, sessionId, delete.roomId(), new DeleteMessageRequested(delete.roomId(), delete.messageId()));
    }

    /** A room write: buffered through a Kafka outage (or dropped from the buffer, answered DROPPED). */
    private CompletableFuture<Verdict> write(String actorId, String sessionId, String roomId, Object payload) {
        String commandId = UUID.randomUUID().toString();
        CompletableFuture<Verdict> verdict = pending.register(commandId);
        track(commandId, publisher.publish(roomId, commands.command(commandId, actorId, sessionId, payload)));
        return verdict;
    }

    /** A membership change: refused with UNAVAILABLE during a Kafka outage rather than buffered. */
    private CompletableFuture<Verdict> membership(String actorId, String sessionId, String roomId, Object payload) {
        String commandId = UUID.randomUUID().toString();
        CompletableFuture<Verdict> verdict = pending.register(commandId);
        track(commandId, publisher.publishNow(roomId, commands.command(commandId, actorId, sessionId, payload)));
        return verdict;
    }

    /** The verdict clock starts when Kafka took the command; a command that never got there fails its request. */
    private void track(String commandId, CommandPublisher.Publication publication) {
        publication.handedOff().thenRun(() -> pending.startTimeout(commandId));
        publication.written().whenComplete((ok, error) -> {
            if (error != null) {
                pending.fail(commandId, notPublished(error));
            }
        });
    }

    private static EdgeException notPublished(Throwable error) {
        return error instanceof CommandDroppedException dropped
                ? new DroppedException(dropped.getMessage(), dropped)
                : new UnavailableException("command not published: " + error.getMessage(), error);
    }

    private static void await(CompletableFuture<Verdict> verdict) {
        try {
            verdict.join();
        } catch (CompletionException e) {
            throw ErrorMapper.unwrap(e);
        }
    }

    private static void requireId(String field, String value) {
        String problem = Identifiers.problem(field, value);
        if (problem != null) {
            throw new InvalidRequestException(problem);
        }
    }
}
