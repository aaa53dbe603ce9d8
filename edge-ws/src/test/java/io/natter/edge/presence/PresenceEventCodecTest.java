package io.natter.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PresenceEventCodecTest {
    private final PresenceEventCodec codec = new PresenceEventCodec();

    @Test
    void readsTheJsonTheScriptsPublish() {
        assertThat(codec.decode("{\"lastSeen\":1712345678901,\"status\":\"OFFLINE\",\"userId\":\"alice\"}"))
                .isEqualTo(new Presence("alice", OnlineStatus.OFFLINE, 1712345678901L));
    }

    @Test
    void refusesAMessageWithoutAUser() {
        assertThatThrownBy(() -> codec.decode("{\"status\":\"ONLINE\",\"lastSeen\":1}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode("not json")).isInstanceOf(IllegalArgumentException.class);
    }
}
