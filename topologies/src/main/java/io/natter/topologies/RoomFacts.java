package io.natter.topologies;

import io.natter.schemas.avro.AttachmentMetadata;
import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendReceipt;
import java.util.Map;

/**
 * What the judge needs to know about a command's room, looked up beforehand so the judge stays pure.
 *
 * @param room the room's state, {@code null} when it does not exist
 * @param priorSend for a send, the receipt of the same (senderId, clientMsgId) inside the dedupe window, else {@code null}
 * @param target for an edit or delete, the retained history entry of the message, else {@code null}
 * @param attachments for a send, the room's registered attachments among those it names; for a registration, the
 *     one already registered under its id; by attachment id, else empty
 */
public record RoomFacts(RoomState room, SendReceipt priorSend, HistoryEntry target,
                        Map<String, AttachmentMetadata> attachments) {

    public RoomFacts {
        attachments = Map.copyOf(attachments);
    }

    /** Facts without attachments. */
    public RoomFacts(RoomState room, SendReceipt priorSend, HistoryEntry target) {
        this(room, priorSend, target, Map.of());
    }

    /** Facts of a command that needs only the room. */
    public static RoomFacts of(RoomState room) {
        return new RoomFacts(room, null, null);
    }
}
