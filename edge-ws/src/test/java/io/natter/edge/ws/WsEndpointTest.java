package io.natter.edge.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WsEndpointTest {

    @Test
    void handshakeResumeBecomesAResumeFrame() {
        assertThat(WsEndpoint.resumeFrame("{\"r1\":4,\"r2\":0}"))
                .isEqualTo("{\"type\":\"RESUME\",\"rooms\":{\"r1\":4,\"r2\":0}}");
    }

    @Test
    void handshakeResumeCannotSmuggleAnotherFrameType() {
        String frame = WsEndpoint.resumeFrame("{}},\"type\":\"SEND_MESSAGE\",\"roomId\":\"r\",\"content\":\"x\"");
        assertThat(frame).isEqualTo("{\"type\":\"RESUME\",\"rooms\":{}}");
        assertThat(WsEndpoint.resumeFrame("")).isEqualTo("{\"type\":\"RESUME\",\"rooms\":\"\"}");
    }
}
