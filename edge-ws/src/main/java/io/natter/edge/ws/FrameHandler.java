package io.natter.edge.ws;

import io.natter.edge.error.EdgeException;
import io.natter.edge.error.ErrorMapper;
import io.natter.edge.frames.ClientFrame;
import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.FrameException;
import io.natter.edge.frames.IncomingFrame;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.rooms.RoomService;
import io.natter.edge.session.ClientSession;
import java.util.concurrent.CompletableFuture;

/** Serves one text frame of a session: decode, call the room service, answer; never closes the socket. */
public final class FrameHandler {
    private final FrameCodec codec;
    private final RoomService rooms;

    public FrameHandler(FrameCodec codec, RoomService rooms) {
        this.codec = codec;
        this.rooms = rooms;
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
        switch (incoming.frame()) {
            case ClientFrame.SendMessage m -> answer(session, rooms.send(user, id, m), null,
                    m.clientMsgId() != null ? m.clientMsgId() : incoming.requestId());
            case ClientFrame.JoinRoom j -> answer(session, rooms.join(user, id, j.roomId()),
                    new ServerFrame.Joined(j.roomId()), incoming.requestId());
            case ClientFrame.LeaveRoom l -> answer(session, rooms.leave(user, id, l.roomId()),
                    new ServerFrame.Left(l.roomId()), incoming.requestId());
            case ClientFrame.Ping p -> send(session, new ServerFrame.Pong());
        }
    }

    /** Sends {@code success} (if any) when {@code outcome} completes, else the failure as ERROR with {@code ref}. */
    private void answer(ClientSession session, CompletableFuture<Void> outcome, ServerFrame success, String ref) {
        outcome.whenComplete((ok, failure) -> {
            if (failure != null) {
                EdgeException error = ErrorMapper.unwrap(failure);
                send(session, new ServerFrame.Error(error.code(), error.getMessage(), ref));
            } else if (success != null) {
                send(session, success);
            }
        });
    }

    private void send(ClientSession session, ServerFrame frame) {
        session.send(codec.encode(frame));
    }
}
