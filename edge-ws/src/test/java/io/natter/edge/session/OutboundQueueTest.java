package io.natter.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter dropped = registry.counter("dropped");
    private final Counter closes = registry.counter("closes");

    @Test
    void dropsDroppableFramesFromHalfTheFrameBoundAndClosesOnlyWhenAMessageWouldBreachIt() {
        OutboundQueue queue = new OutboundQueue(4, 1_000_000, dropped, closes);
        assertThat(queue.admit(10, false)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.admit(10, true)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.admit(10, true)).isEqualTo(OutboundQueue.Admission.DROP);
        assertThat(queue.admit(10, false)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.admit(10, false)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.admit(10, true)).isEqualTo(OutboundQueue.Admission.DROP);
        assertThat(queue.admit(10, false)).isEqualTo(OutboundQueue.Admission.CLOSE);
        assertThat(queue.admit(10, false)).isEqualTo(OutboundQueue.Admission.CLOSED);
        assertThat(queue.admit(10, true)).isEqualTo(OutboundQueue.Admission.CLOSED);
        assertThat(dropped.count()).isEqualTo(2);
        assertThat(closes.count()).isEqualTo(1);
    }

    @Test
    void boundsBytesTheSameWay() {
        OutboundQueue queue = new OutboundQueue(1000, 100, dropped, closes);
        assertThat(queue.admit(40, false)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.admit(20, true)).isEqualTo(OutboundQueue.Admission.DROP);
        assertThat(queue.admit(60, false)).isEqualTo(OutboundQueue.Admission.SEND);
        assertThat(queue.bytes()).isEqualTo(100);
        assertThat(queue.admit(1, false)).isEqualTo(OutboundQueue.Admission.CLOSE);
        assertThat(dropped.count()).isEqualTo(1);
        assertThat(closes.count()).isEqualTo(1);
    }

    @Test
    void writtenFramesFreeTheirRoomAndAnEmptyQueueTakesAnyFrame() {
        OutboundQueue queue = new OutboundQueue(2, 100, dropped, closes);
        assertThat(queue.admit(500, false)).isEqualTo(OutboundQueue.Admission.SEND);
        queue.written(500);
        for (int i = 0; i < 10; i++) {
            assertThat(queue.admit(60, false)).isEqualTo(OutboundQueue.Admission.SEND);
            assertThat(queue.admit(40, false)).isEqualTo(OutboundQueue.Admission.SEND);
            queue.written(60);
            queue.written(40);
        }
        assertThat(queue.frames()).isZero();
        assertThat(queue.bytes()).isZero();
        assertThat(dropped.count()).isZero();
        assertThat(closes.count()).isZero();
    }

    @Test
    void aSessionSendsWhatIsAdmittedDropsPresenceAndClosesWith4008OnABreach() {
        List<String> sent = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        FrameSink stalled = new FrameSink() {
            @Override
            public void sendText(String text) {
                sent.add(text);
            }

            @Override
            public void send(EncodedFrame frame, Runnable written, boolean batched) {
                sent.add(frame.text()); // never written out: the reader is stalled
            }

            @Override
            public void close(int code, String reason) {
                closed.add(code + " " + reason);
            }
        };
        ClientSession session = new ClientSession("s1", "alice", stalled, new OutboundQueue(4, 1_000_000, dropped, closes));
        session.send("m1");
        session.sendDroppable("p1");
        session.send("m2");
        session.sendDroppable("p2");
        session.send("m3");
        session.send("m4");
        session.send("m5");

        assertThat(sent).containsExactly("m1", "p1", "m2", "m3");
        assertThat(closed).containsExactly("4008 slow consumer: resume from your last seq");
        assertThat(dropped.count()).isEqualTo(1);
        assertThat(closes.count()).isEqualTo(1);
    }
}
