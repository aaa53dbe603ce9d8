package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ServerFrameTest {
    private final JsonFactory json = new JsonFactory();

    @Test
    void readsAMessageAndSkipsNestedValues() throws IOException {
        String text = "{\"type\":\"MESSAGE\",\"roomId\":\"r1\",\"messageId\":\"m\",\"senderId\":\"u\","
                + "\"content\":\"3:99:xx\",\"ts\":\"2026-01-01T00:00:00Z\",\"seq\":4,"
                + "\"attachments\":[{\"type\":\"x\",\"content\":\"nested\"}]}";
        assertThat(ServerFrame.parse(json, text)).isEqualTo(new ServerFrame("MESSAGE", "r1", "3:99:xx", null, null, null));
    }

    @Test
    void readsAckAndError() throws IOException {
        assertThat(ServerFrame.parse(json, "{\"type\":\"ACK\",\"clientMsgId\":\"m7\",\"messageId\":\"x\",\"seq\":1}"))
                .isEqualTo(new ServerFrame("ACK", null, null, "m7", null, null));
        assertThat(ServerFrame.parse(json, "{\"type\":\"ERROR\",\"code\":\"RATE_LIMITED\",\"message\":\"slow down\","
                + "\"ref\":\"m8\",\"retryAfterMs\":50}"))
                .isEqualTo(new ServerFrame("ERROR", null, null, null, "RATE_LIMITED", "m8"));
        assertThat(ServerFrame.parse(json, "{\"type\":\"ACK\",\"clientMsgId\":null}"))
                .isEqualTo(new ServerFrame("ACK", null, null, null, null, null));
    }

    @Test
    void refusesWhatIsNotAJsonObject() {
        assertThatThrownBy(() -> ServerFrame.parse(json, "[1]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ServerFrame.parse(json, "{\"type\":")).isInstanceOf(IOException.class);
    }
}
