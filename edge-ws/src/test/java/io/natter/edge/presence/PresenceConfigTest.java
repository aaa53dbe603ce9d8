package io.natter.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natter.edge.ConfigKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresenceConfigTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        assertThat(PresenceConfig.fromEnv(Map.of())).isEqualTo(new PresenceConfig("redis://127.0.0.1:6379",
                Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(1), "127.0.0.1", 9090));
    }

    @Test
    void readsEveryKey() {
        PresenceConfig config = PresenceConfig.fromEnv(Map.of(
                "NATTER_REDIS_URI", "redis://10.0.0.5:6380",
                "NATTER_PRESENCE_TTL_MS", "6000",
                "NATTER_PRESENCE_REFRESH_MS", "1500",
                "NATTER_PRESENCE_OFFLINE_GRACE_MS", "250",
                "NATTER_GRPC_HOST", "0.0.0.0",
                "NATTER_GRPC_PORT", "0"));

        assertThat(config).isEqualTo(new PresenceConfig("redis://10.0.0.5:6380", Duration.ofSeconds(6),
                Duration.ofMillis(1500), Duration.ofMillis(250), "0.0.0.0", 0));
    }

    @Test
    void refreshDefaultsToAThirdOfTheTtl() {
        assertThat(PresenceConfig.fromEnv(Map.of("NATTER_PRESENCE_TTL_MS", "3000")).refreshInterval())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void refusesARefreshNoShorterThanTheTtl() {
        assertThatThrownBy(() -> PresenceConfig.fromEnv(Map.of("NATTER_PRESENCE_TTL_MS", "3000",
                "NATTER_PRESENCE_REFRESH_MS", "3000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NATTER_PRESENCE_REFRESH_MS");
    }

    @Test
    void refusesAGraceNoShorterThanTheTtl() {
        assertThatThrownBy(() -> PresenceConfig.fromEnv(Map.of("NATTER_PRESENCE_TTL_MS", "3000",
                "NATTER_PRESENCE_OFFLINE_GRACE_MS", "5000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NATTER_PRESENCE_OFFLINE_GRACE_MS");
    }

    @Test
    void namesTheKeyOfAnInvalidNumber() {
        assertThatThrownBy(() -> PresenceConfig.fromEnv(Map.of("NATTER_GRPC_PORT", "ninety")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NATTER_GRPC_PORT must be an integer, got 'ninety'");
        assertThatThrownBy(() -> PresenceConfig.fromEnv(Map.of("NATTER_GRPC_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NATTER_GRPC_PORT must be between 0 and 65535, got 70000");
    }

    @Test
    void declaresEveryKeyOnce() {
        assertThat(PresenceConfig.KEYS).extracting(ConfigKey::name).containsExactly("NATTER_REDIS_URI",
                "NATTER_PRESENCE_TTL_MS", "NATTER_PRESENCE_REFRESH_MS", "NATTER_PRESENCE_OFFLINE_GRACE_MS",
                "NATTER_GRPC_HOST", "NATTER_GRPC_PORT");
    }
}
