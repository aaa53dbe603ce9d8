package io.natter.edge.kafka;

import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;

/** What the {@link FanoutConsumer} hands over, one call per record, on its single thread. */
public interface InboundEvents {
    /** Hands a room event to its recipients' local sessions; returns how many sessions it was handed to. */
    int onFanout(Fanout fanout);

    void onRejection(Rejection rejection);

    void onMembership(RoomMembershipEvent event);

    /**
     * What the calls since the last flush handed to sockets may be written out now: called after every poll's
     * records (and within a large poll every {@link FanoutConsumer#FLUSH_EVERY_RECORDS} records). Nothing by default.
     */
    default void flush() { }
}
