package io.natter.edge.kafka;

import io.natter.schemas.avro.Fanout;
import io.natter.schemas.avro.Rejection;
import io.natter.schemas.avro.RoomMembershipEvent;

/** What the {@link FanoutConsumer} hands over, one call per record, on its single thread. */
public interface InboundEvents {
    void onFanout(Fanout fanout);

    void onRejection(Rejection rejection);

    void onMembership(RoomMembershipEvent event);
}
