package io.natter.topologies;

import io.natter.schemas.avro.HistoryEntry;
import io.natter.schemas.avro.RoomState;
import io.natter.schemas.avro.SendReceipt;

/**
 * What the judge needs to know about a command's room, looked up beforehand so the judge stays pure.
 *
 * @param room the room's state, {@code null} when it does not exist
 * @param priorSend for a send, the receipt of the same (senderId, clientMsgId) inside the dedupe window, else {@code null}
 * @param target for an edit or delete, the retained history entry of the message, else {@code null}
 */
public record RoomFacts(RoomState room, SendReceipt priorSend, HistoryEntry target) {

    /** Facts of a command that needs only the room. */
    public static RoomFacts of(RoomState room) {
        return new RoomFacts(room, null, null);
    }
}
