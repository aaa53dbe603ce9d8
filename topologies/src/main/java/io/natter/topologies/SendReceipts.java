package io.natter.topologies;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.SendReceipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** What each accepted send with a clientMsgId was given, remembered for the dedupe window. */
final class SendReceipts {
    private final KeyValueStore<String, SendReceipt> receipts;
    private final Retention retention;

    SendReceipts(KeyValueStore<String, SendReceipt> receipts, Retention retention) {
        this.receipts = receipts;
        this.retention = retention;
    }

    /** The receipt of an earlier send of {@code clientMsgId} still inside the window at {@code now}, or {@code null}. */
    SendReceipt find(String roomId, String senderId, String clientMsgId, Instant now) {
        if (clientMsgId == null || retention.dedupeWindow().isZero()) {
            return null;
        }
        SendReceipt receipt = receipts.get(StoreKeys.receipt(roomId, senderId, clientMsgId));
        // The lookup checks the window itself, so a repeat is judged the same before and after the purge.
        return receipt == null || expired(receipt, now) ? null : receipt;
    }

    /** Remembers an accepted message if its sender gave it a clientMsgId. */
    void remember(ChatMessage message) {
        if (message.getClientMsgId() == null || retention.dedupeWindow().isZero()) {
            return;
        }
        receipts.put(StoreKeys.receipt(message.getRoomId(), message.getSenderId(), message.getClientMsgId()),
                new SendReceipt(message.getMessageId(), message.getSeq(), message.getSentAt(), message.getEpoch()));
    }

    /** Forgets the receipt of a superseded message, if it is still the one its (sender, clientMsgId) names. */
    void forget(ChatMessage message) {
        if (message.getClientMsgId() == null) {
            return;
        }
        String key = StoreKeys.receipt(message.getRoomId(), message.getSenderId(), message.getClientMsgId());
        SendReceipt receipt = receipts.get(key);
        if (receipt != null && receipt.getMessageId().equals(message.getMessageId())) {
            receipts.delete(key);
        }
    }

    /** Deletes every receipt whose window has passed at {@code now}. */
    void purge(Instant now) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, SendReceipt> it = receipts.all()) {
            while (it.hasNext()) {
                KeyValue<String, SendReceipt> entry = it.next();
                if (expired(entry.value, now)) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(receipts::delete);
    }

    private boolean expired(SendReceipt receipt, Instant now) {
        return !receipt.getSentAt().plus(retention.dedupeWindow()).isAfter(now);
    }
}
