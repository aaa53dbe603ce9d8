package io.natter.edge.session;

import io.natter.edge.frames.FrameCodec;
import io.natter.edge.frames.ServerFrame;
import io.natter.edge.kafka.InboundEvents;
import io.natter.edge.rooms.PendingRequests;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.util.LinkedHashSet;
import java.util.List;

/** Delivers what the fan-out consumer reads to this node's sessions and pending requests. */
public final class Delivery implements InboundEvents {
    private final String nodeId;
    private final SessionRegistry sessions;
    private final PendingRequests pending;
    private final FrameCodec codec;

    public Delivery(String nodeId, SessionRegistry sessions, PendingRequests pending, FrameCodec codec) {
        this.nodeId = nodeId;
        this.sessions = sessions;
        this.pending = pending;
        this.codec = codec;
    }

    /** MESSAGE to every local session of each recipient, then ACK to the origin session if it is here. */
    @Override
    public void onFanout(Fanout fanout) {
        // Edits and deletions travel the same topic; their frames come with a later issue.
        if (!(fanout.getEvent() instanceof ChatMessage message)) {
            return;
        }
        String frame = codec.encode(messageFrame(message));
        for (String recipient : new LinkedHashSet<>(fanout.getRecipients())) {
            sessions.sessionsOf(recipient).forEach(session -> session.send(frame));
        }
        Origin origin = fanout.getOrigin();
        if (origin != null && nodeId.equals(origin.getNodeId())) {
            sessions.session(origin.getSessionId()).ifPresent(session -> session.send(codec.encode(
                    new ServerFrame.Ack(message.getClientMsgId(), message.getMessageId(), message.getSeq()))));
        }
    }

    /** A rejection of this node's command: the waiting request answers it, else an ERROR goes to the origin session. */
    @Override
    public void onRejection(Rejection rejection) {
        Origin origin = rejection.getOrigin();
        if (origin == null || !nodeId.equals(origin.getNodeId())) {
            return;
        }
        if (pending.reject(rejection.getCommandId(), rejection.getCode(), rejection.getMessage())) {
            return;
        }
        sessions.session(origin.getSessionId()).ifPresent(session -> session.send(codec.encode(
                new ServerFrame.Error(rejection.getCode(), rejection.getMessage(), rejection.getClientMsgId()))));
    }

    /** A membership change caused by a command pending here completes that request. */
    @Override
    public void onMembership(RoomMembershipEvent event) {
        pending.succeed(event.getCommandId());
    }

    static ServerFrame.Message messageFrame(ChatMessage message) {
        List<ServerFrame.Attachment> attachments = message.getAttachments().stream()
                .map(Delivery::attachment)
                .toList();
        return new ServerFrame.Message(message.getRoomId(), message.getMessageId(), message.getSenderId(),
                message.getContent(), message.getSentAt(), message.getSeq(), attachments);
    }

    private static ServerFrame.Attachment attachment(AttachmentRef ref) {
        return new ServerFrame.Attachment(ref.getAttachmentId(), ref.getFileName(), ref.getMimeType(), ref.getSize());
    }
}
