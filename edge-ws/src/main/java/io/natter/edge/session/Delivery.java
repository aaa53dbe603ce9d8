package io.natter.edge.session;

import io.natter.edge.frames.ServerFrame;
import io.natter.edge.kafka.InboundEvents;
import io.natter.edge.regions.RoomEpochs;
import io.natter.edge.rooms.PendingRequests;
import io.natter.schemas.avro.AttachmentRef;
import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.MemberJoined;
import io.natter.schemas.avro.MemberLeft;
import io.natter.schemas.avro.MessageDeletion;
import io.natter.schemas.avro.MessageEdit;
import io.natter.schemas.avro.Origin;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomRehomed;
import io.natter.schemas.avro.RoomMembershipEvent;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what the fan-out consumer reads: room events to the local sessions of their recipients (through
 * each session's cursor), and verdicts to this node's pending requests, which answer their sessions.
 */
public final class Delivery implements InboundEvents {
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    private final String nodeId;
    private final SessionRegistry sessions;
    private final PendingRequests pending;
    private final Catchup catchup;
    private final MembershipListener membership;
    private final RoomEpochs epochs;
    // Live copies wait in their sockets' buffers until flush(): the fan-out consumer's thread is the only caller.
    private final FlushBatch batch = new FlushBatch();

    public Delivery(String nodeId, SessionRegistry sessions, PendingRequests pending, Catchup catchup) {
        this(nodeId, sessions, pending, catchup, MembershipListener.NONE);
    }

    public Delivery(String nodeId, SessionRegistry sessions, PendingRequests pending, Catchup catchup,
            MembershipListener membership) {
        this(nodeId, sessions, pending, catchup, membership, new RoomEpochs());
    }

    /** As above, recording re-homes in {@code epochs} (shared with {@link Catchup} for RESUME). */
    public Delivery(String nodeId, SessionRegistry sessions, PendingRequests pending, Catchup catchup,
            MembershipListener membership, RoomEpochs epochs) {
        this.nodeId = nodeId;
        this.sessions = sessions;
        this.pending = pending;
        this.catchup = catchup;
        this.membership = membership;
        this.epochs = epochs;
    }

    /**
     * The event to every local session of each recipient, then the verdict to the pending command, if here; returns
     * the number of sessions handed the event.
     */
    @Override
    public int onFanout(Fanout fanout) {
        RoomCursor.Item item = switch (fanout.getEvent()) {
            case ChatMessage message -> new RoomCursor.Sequenced(message.getSeq(), messageFrame(message));
            case MessageEdit edit -> new RoomCursor.Update(edit.getSeq(), new ServerFrame.MessageEdited(edit.getRoomId(),
                    edit.getMessageId(), edit.getSeq(), edit.getContent(), edit.getEditorId(), edit.getEditedAt()));
            case MessageDeletion deletion -> new RoomCursor.Update(deletion.getSeq(), new ServerFrame.MessageDeleted(
                    deletion.getRoomId(), deletion.getMessageId(), deletion.getSeq(), deletion.getDeletedBy(),
                    deletion.getDeletedAt()));
            default -> null;
        };
        if (item == null) {
            log.warn("fan-out of room {} carries an unknown event {}", fanout.getRoomId(), fanout.getEvent());
            return 0;
        }
        int epoch = switch (fanout.getEvent()) {
            case ChatMessage message -> message.getEpoch();
            case MessageEdit edit -> edit.getEpoch();
            case MessageDeletion deletion -> deletion.getEpoch();
            default -> 0;
        };
        long epochFromSeq = epochs.fromSeq(fanout.getRoomId(), epoch, item.seq());
        int handed = 0;
        for (String recipient : new LinkedHashSet<>(fanout.getRecipients())) {
            handed += sessions.forEachSessionOf(recipient,
                    session -> catchup.live(session, fanout.getRoomId(), item, epoch, epochFromSeq, batch));
        }
        if (fromHere(fanout.getOrigin())) {
            if (fanout.getEvent() instanceof ChatMessage message) {
                pending.sequenced(fanout.getCommandId(), message.getMessageId(), message.getSeq(), message.getEpoch());
            } else {
                pending.succeed(fanout.getCommandId());
            }
        }
        return handed;
    }

    /** Writes out the live copies queued since the last flush, one socket write per session. */
    @Override
    public void flush() {
        batch.flush();
    }

    /** A rejection of this node's command answers its pending request (a late one, already timed out, is dropped). */
    @Override
    public void onRejection(Rejection rejection) {
        if (fromHere(rejection.getOrigin())) {
            pending.reject(rejection.getCommandId(), rejection.getCode(), rejection.getMessage(),
                    rejection.getMessageId(), rejection.getSeq(), rejection.getEpoch());
        }
    }

    /** A membership change goes to the listener (presence subscriptions), then completes its request if pending here. */
    @Override
    public void onMembership(RoomMembershipEvent event) {
        switch (event.getPayload()) {
            case MemberJoined joined -> membership.memberJoined(joined.getRoomId(), joined.getUserId());
            case MemberLeft left -> membership.memberLeft(left.getRoomId(), left.getUserId());
            case RoomRehomed rehomed -> epochs.rehomed(rehomed.getRoomId(), rehomed.getEpoch(), rehomed.getFromSeq());
            default -> { } // A new room has no presence subscribers yet.
        }
        pending.succeed(event.getCommandId());
    }

    static ServerFrame.Message messageFrame(ChatMessage message) {
        List<ServerFrame.Attachment> attachments = message.getAttachments().stream()
                .map(Delivery::attachment)
                .toList();
        return new ServerFrame.Message(message.getRoomId(), message.getMessageId(), message.getSenderId(),
                message.getContent(), message.getSentAt(), message.getSeq(), message.getEpoch(), attachments);
    }

    private boolean fromHere(Origin origin) {
        return origin != null && nodeId.equals(origin.getNodeId());
    }

    private static ServerFrame.Attachment attachment(AttachmentRef ref) {
        return new ServerFrame.Attachment(ref.getAttachmentId(), ref.getFileName(), ref.getMimeType(), ref.getSize());
    }
}
