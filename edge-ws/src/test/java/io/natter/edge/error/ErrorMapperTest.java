package io.natter.edge.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.natter.edge.frames.ServerFrame;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
    @Test
    void mapsEachRefusalToItsStatusAndHeaders() {
        RefusedException rate = new RefusedException(RefusedException.Reason.HANDSHAKE_RATE_LIMITED, "slow down",
                Duration.ofMillis(1200));
        RefusedException user = new RefusedException(RefusedException.Reason.TOO_MANY_CONNECTIONS, "too many",
                Duration.ofSeconds(5));
        RefusedException full = new RefusedException(RefusedException.Reason.EDGE_FULL, "full", null);
        RefusedException draining = RefusedException.shuttingDown();

        assertThat(ErrorMapper.statusOf(rate)).isEqualTo(429);
        assertThat(ErrorMapper.headersOf(rate)).isEqualTo(Map.of("Retry-After", "2"));
        assertThat(ErrorMapper.statusOf(user)).isEqualTo(429);
        assertThat(ErrorMapper.headersOf(user)).isEqualTo(Map.of("Retry-After", "5"));
        assertThat(ErrorMapper.statusOf(full)).isEqualTo(503);
        assertThat(ErrorMapper.headersOf(full)).isEmpty();
        assertThat(ErrorMapper.statusOf(draining)).isEqualTo(503);
        assertThat(ErrorMapper.headersOf(draining)).isEqualTo(Map.of("Connection", "close"));
        assertThat(ErrorMapper.headersOf(new RateLimitedException(10))).isEmpty();
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        assertThat(ErrorMapper.headersOf(new RefusedException(RefusedException.Reason.HANDSHAKE_RATE_LIMITED, "m",
                Duration.ofMillis(1)))).isEqualTo(Map.of("Retry-After", "1"));
    }

    @Test
    void aRefusedCommandIsAnErrorFrameWithItsCodeAndRef() {
        assertThat(ErrorMapper.frameOf(RefusedException.shuttingDown(), "c-7")).isEqualTo(new ServerFrame.Error(
                "SHUTTING_DOWN", "this edge is shutting down: reconnect to another edge and retry there", "c-7", null,
                null));
    }
}
