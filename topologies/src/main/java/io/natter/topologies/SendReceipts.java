package io.natter.topologies;

import io.natter.schemas.avro.ChatMessage;
import io.natter.schemas.avro.SendReceipt;
import java.time.Duration;
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
    /** Where the next {@link #purgeSome} goes on: the last key it looked at, or null to start from the first. */
    private String purgedUpTo;
    /** When the current (or last) pass over the store started; null before the first. */
    private Instant passStarted;

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

    /**
     * Looks at up to {@code max} receipts, going on from where the last call stopped, and deletes those whose window
     * has passed at {@code now}; a new pass over the store starts at most every {@code passEvery}. Returns how many
     * it looked at. One pass over the whole store at once (the purge until session 6) stalled the stream thread for
     * as long as it took: 207 ms with ~2.3 million receipts (bench/RESULTS.md), and a day's window at production
     * rates holds tens of millions. Kafka Streams' windowed store would drop expired segments by itself, but its
     * changelog has another key format, so moving to it needs a migration of existing receipts: not done yet.
     */
    int purgeSome(Instant now, int max, Duration passEvery) {
        if (purgedUpTo == null) {
            if (passStarted != null && now.isBefore(passStarted.plus(passEvery))) {
                return 0; // the last pass was recent: no more scanning than one pass per passEvery
            }
            passStarted = now;
        }
        List<String> expired = new ArrayList<>();
        int looked = 0;
        // Keys are strings, ordered by their UTF-8 bytes: key + "\0" is the first key after it.
        try (KeyValueIterator<String, SendReceipt> it = purgedUpTo == null
                ? receipts.all() : receipts.range(purgedUpTo + "\0", null)) {
            while (looked < max && it.hasNext()) {
                KeyValue<String, SendReceipt> entry = it.next();
                looked++;
                purgedUpTo = entry.key;
                if (expired(entry.value, now)) {
                    expired.add(entry.key);
                }
            }
            if (looked < max) {
                purgedUpTo = null; // reached the end: the next call starts over
            }
        }
        expired.forEach(receipts::delete);
        return looked;
    }

    private boolean expired(SendReceipt receipt, Instant now) {
        return !receipt.getSentAt().plus(retention.dedupeWindow()).isAfter(now);
    }
}
