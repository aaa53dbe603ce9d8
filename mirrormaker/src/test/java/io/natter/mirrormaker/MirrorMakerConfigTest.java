package io.natter.mirrormaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MirrorMakerConfigTest {

    @Test
    void defaultsToUsAndEuOnTheDevPortsBothWaysWithTheBundledTemplate() {
        MirrorMakerConfig config = MirrorMakerConfig.fromEnv(Map.of());

        assertThat(config).isEqualTo(new MirrorMakerConfig(
                new Region("us", "127.0.0.1:9092", "http://127.0.0.1:8081/apis/ccompat/v7"),
                new Region("eu", "127.0.0.1:19092", "http://127.0.0.1:18081/apis/ccompat/v7"),
                Optional.empty(), Set.of("us", "eu")));
    }

    @Test
    void readsEveryKey() {
        MirrorMakerConfig config = MirrorMakerConfig.fromEnv(Map.of(
                "NATTER_MM2_CONFIG_FILE", "/etc/natter/mm2-us-ap.properties",
                "NATTER_MM2_REGION_A", "us",
                "NATTER_MM2_REGION_A_KAFKA_BOOTSTRAP", "k1:9092,k2:9092",
                "NATTER_MM2_REGION_A_SCHEMA_REGISTRY_URL", "http://r1/apis/ccompat/v7",
                "NATTER_MM2_REGION_B", "ap",
                "NATTER_MM2_REGION_B_KAFKA_BOOTSTRAP", "k3:9092",
                "NATTER_MM2_REGION_B_SCHEMA_REGISTRY_URL", "http://r2/apis/ccompat/v7",
                "NATTER_MM2_TARGET_REGIONS", " ap "));

        assertThat(config).isEqualTo(new MirrorMakerConfig(new Region("us", "k1:9092,k2:9092", "http://r1/apis/ccompat/v7"),
                new Region("ap", "k3:9092", "http://r2/apis/ccompat/v7"),
                Optional.of(Path.of("/etc/natter/mm2-us-ap.properties")), Set.of("ap")));
    }

    @Test
    void toEnvReadsBackIntoTheSameConfiguration() {
        MirrorMakerConfig config = MirrorMakerConfig.of(new Region("us", "a:1", "http://a"), new Region("eu", "b:2", "http://b"))
                .withPropertiesFile(Path.of("/tmp/mm2.properties"))
                .withTargetRegions(Set.of("eu"));

        assertThat(config.toEnv()).containsOnlyKeys(MirrorMakerConfig.KEYS.stream().map(MirrorMakerConfig.Key::name).toList());
        assertThat(MirrorMakerConfig.fromEnv(config.toEnv())).isEqualTo(config);
        assertThat(MirrorMakerConfig.fromEnv(MirrorMakerConfig.fromEnv(Map.of()).toEnv()))
                .isEqualTo(MirrorMakerConfig.fromEnv(Map.of()));
    }

    @Test
    void refusesUnusableRegions() {
        assertThatThrownBy(() -> MirrorMakerConfig.fromEnv(Map.of("NATTER_MM2_REGION_B", "us")))
                .isInstanceOf(MirrorMakerConfigException.class).hasMessageContaining("different aliases");
        assertThatThrownBy(() -> MirrorMakerConfig.fromEnv(Map.of("NATTER_MM2_REGION_A", "us.east")))
                .isInstanceOf(MirrorMakerConfigException.class).hasMessageContaining("'us.east'");
        assertThatThrownBy(() -> MirrorMakerConfig.fromEnv(Map.of("NATTER_MM2_TARGET_REGIONS", "us,ap")))
                .isInstanceOf(MirrorMakerConfigException.class).hasMessageContaining("target regions must be among");
    }

    @Test
    void findsARegionByAlias() {
        MirrorMakerConfig config = MirrorMakerConfig.fromEnv(Map.of());

        assertThat(config.region("eu").bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThatThrownBy(() -> config.region("ap")).isInstanceOf(MirrorMakerConfigException.class);
    }

    @Test
    void theReadmeTableListsEveryKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("README.md"));

        assertThat(MirrorMakerConfig.KEYS).allSatisfy(key ->
                assertThat(readme).contains("| `" + key.name() + "` | `" + key.defaultValue() + "` |"));
    }
}
