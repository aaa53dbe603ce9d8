package io.natter.edge.ws;

import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.error.RateLimitedException;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.FrameException;
import io.natter.edge.frames.IncomingFrame;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.regions.AckPolicy;
import io.natter.edge.rooms.RoomQueries;
import io.natter.edge.rooms.RoomService;
import io.natter.edge.rooms.Verdict;
import io.natter.edge.session.Catchup;
import io.natter.edge.session.ClientSession;
import io.natter.edge.session.SessionPresence;
import io.natter.edge.session.UserRateLimits;
import io.natter.edge.telemetry.SendRejections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Serves one frame of a session: decode, call a service, answer; never closes the socket. Each request
 * frame gets exactly one answer: its success frame (none for edit/delete, whose fan-out is the answer) or ERROR.
 */
public final class FrameHandler {
    /** Code of the ERROR answering a binary frame. */
    public static final String BINARY_NOT_SUPPORTED = "BINARY_NOT_SUPPORTED";

    private final FrameCodec codec;
    private final RoomService rooms;
    private final RoomQueries queries;
    private final Catchup catchup;
    private final SessionPresence presence;
    private final Executor reads;
    private final TokenWatch tokens;
    private final UserRateLimits writeLimits;
    private final AckPolicy acks;
    private final SendRejections rejections;

    public FrameHandler(FrameCodec codec, RoomService rooms, RoomQueries queries, Catchup catchup,
            SessionPresence presence, Executor reads, UserRateLimits writeLimits, TokenWatch tokens) {
        this(codec, rooms, queries, catchup, presence, reads, writeLimits, tokens, new AckPolicy.Local());
    }

    /** As above, ACKing sends when {@code acks} allows (local or replicated ack level). */
    public FrameHandler(FrameCodec codec, RoomService rooms, RoomQueries queries, Catchup catchup,
            SessionPresence presence, Executor reads, UserRateLimits writeLimits, TokenWatch tokens, AckPolicy acks) {
        this(codec, rooms, queries, catchup, presence, reads, writeLimits, tokens, acks, null);
    }

    /** As above, counting rejected sends in {@code rejections} (null: not counted). */
    public FrameHandler(FrameCodec codec, RoomService rooms, RoomQueries queries, Catchup catchup,
            SessionPresence presence, Executor reads, UserRateLimits writeLimits, TokenWatch tokens, AckPolicy acks,
            SendRejections rejections) {
        this.rejections = rejections;
        this.acks = acks;
        this.codec = codec;
        this.rooms = rooms;
        this.queries = queries;
        this.catchup = catchup;
        this.presence = presence;
        this.reads = reads;
        this.tokens = tokens;
        this.writeLimits = writeLimits;
    }

    /** A binary frame: the protocol is JSON text, so it is refused like any invalid frame and the socket stays open. */
    public void handleBinary(ClientSession session) {
        send(session, new ServerFrame.Error(BINARY_NOT_SUPPORTED, "frames are JSON text; binary frames are not supported",
                null));
    }

    public void handle(ClientSession session, String text) {
        IncomingFrame incoming;
        try {
            incoming = codec.decode(text);
        } catch (FrameException e) {
            send(session, e.toFrame());
            return;
        }
        String user = session.userId();
        String id = session.sessionId();
        String ref = incoming.requestId();
        if (rateLimited(session, incoming.frame(), ref)) {
            return;
        }
        switch (incoming.frame()) {
            case ClientFrame.SendMessage m -> answer(session, watched(rooms.send(user, id, m)
                            .thenCompose(v -> acks.confirm(sequenced(v)))).thenApply(v -> ack(m, v)),
                    m.clientMsgId() != null ? m.clientMsgId() : ref);
            case ClientFrame.EditMessage e -> answer(session, rooms.edit(user, id, e).thenApply(v -> null), ref);
            case ClientFrame.DeleteMessage d -> answer(session, rooms.delete(user, id, d).thenApply(v -> null), ref);
            case ClientFrame.JoinRoom j -> answer(session, rooms.join(user, id, j.roomId())
                    .thenApply(v -> new ServerFrame.Joined(j.roomId())), ref);
            case ClientFrame.LeaveRoom l -> answer(session, rooms.leave(user, id, l.roomId())
                    .thenApply(v -> new ServerFrame.Left(l.roomId())), ref);
            case ClientFrame.History h -> answer(session, CompletableFuture.supplyAsync(() -> queries.history(user, h), reads), ref);
            case ClientFrame.Resume r -> catchup.resume(session, r.rooms(), r.epochs());
            case ClientFrame.Ping p -> {
                presence.touched(session);
                send(session, new ServerFrame.Pong());
            }
            // Members only, checked like HISTORY; the feed sends the snapshot itself, ahead of any change.
            case ClientFrame.SubscribePresence s -> answer(session, CompletableFuture
                    .supplyAsync(() -> queries.room(user, s.roomId()), reads)
                    .thenCompose(room -> presence.subscribe(session, s.roomId(), room.members()))
                    .thenApply(v -> null), ref);
            case ClientFrame.UnsubscribePresence u -> send(session, presence.unsubscribe(session, u.roomId()));
            // Off the socket thread: a JWKS verification may fetch the key set over HTTP.
            case ClientFrame.RefreshToken t -> answer(session, CompletableFuture
                    .supplyAsync(() -> tokens.refresh(id, t.token(), ref), reads), ref);
        }
    }

    /** Answers a room write over the user's rate limit with RATE_LIMITED (nothing produced); true if it was. */
    private boolean rateLimited(ClientSession session, ClientFrame frame, String ref) {
        if (!(frame instanceof ClientFrame.SendMessage || frame instanceof ClientFrame.EditMessage
                || frame instanceof ClientFrame.DeleteMessage)) {
            return false;
        }
        long retryAfterMs = writeLimits.tryAcquire(session.userId());
        if (retryAfterMs == 0) {
            return false;
        }
        RateLimitedException limited = new RateLimitedException(retryAfterMs);
        if (rejections != null && frame instanceof ClientFrame.SendMessage) {
            rejections.rejected(limited.code());
        }
        String writeRef = frame instanceof ClientFrame.SendMessage m && m.clientMsgId() != null ? m.clientMsgId() : ref;
        send(session, ErrorMapper.frameOf(limited, writeRef));
        return true;
    }

    private <T> CompletableFuture<T> watched(CompletableFuture<T> send) {
        return rejections == null ? send : rejections.watch(send);
    }

    private static Verdict.Sequenced sequenced(Verdict verdict) {
        if (!(verdict instanceof Verdict.Sequenced sequenced)) {
            throw new IllegalStateException("a send resolved without a seq: " + verdict);
        }
        return sequenced;
    }

    private static ServerFrame ack(ClientFrame.SendMessage send, Verdict.Sequenced sequenced) {
        return new ServerFrame.Ack(send.clientMsgId(), sequenced.messageId(), sequenced.seq(), sequenced.epoch());
    }

    /** Sends the outcome's frame (if any) when it completes, else its failure as ERROR with {@code ref}. */
    private void answer(ClientSession session, CompletableFuture<? extends ServerFrame> outcome, String ref) {
        outcome.whenComplete((frame, failure) -> {
            if (failure != null) {
                EdgeException error = ErrorMapper.unwrap(failure);
                send(session, ErrorMapper.frameOf(error, ref));
            } else if (frame != null) {
                send(session, frame);
            }
        });
    }

    private void send(ClientSession session, ServerFrame frame) {
        session.send(codec.encode(frame));
    }
}
