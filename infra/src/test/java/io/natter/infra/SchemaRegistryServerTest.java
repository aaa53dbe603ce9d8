package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryServerTest {
    @TempDir
    Path dir;

    @Test
    void homeComesFromThePropertyFirst() {
        assertThat(SchemaRegistryServer.resolveHome(Optional.of("/opt/a"), Optional.of("/opt/b"), dir))
                .isEqualTo(Path.of("/opt/a"));
    }

    @Test
    void homeComesFromTheEnvironmentWhenThePropertyIsUnset() {
        assertThat(SchemaRegistryServer.resolveHome(Optional.empty(), Optional.of("/opt/b"), dir))
                .isEqualTo(Path.of("/opt/b"));
    }

    @Test
    void homeDefaultsToInfraTargetUnderTheRepositoryRoot() throws Exception {
        Files.createDirectories(dir.resolve("infra"));
        Files.writeString(dir.resolve("infra/pom.xml"), "<project/>");
        Path nested = Files.createDirectories(dir.resolve("edge-ws/src"));

        assertThat(SchemaRegistryServer.resolveHome(Optional.of(" "), Optional.empty(), nested))
                .isEqualTo(dir.toAbsolutePath().resolve("infra/target/apicurio"));
    }

    @Test
    void homeOutsideARepositoryIsAClearError() {
        assertThatThrownBy(() -> SchemaRegistryServer.resolveHome(Optional.empty(), Optional.empty(), dir))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("natter.apicurio.home")
                .hasMessageContaining("NATTER_APICURIO_HOME");
    }

    @Test
    void missingDistributionIsAClearError() {
        assertThatThrownBy(() -> SchemaRegistryServer.start(dir.resolve("data"), 0, dir.resolve("nowhere")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("quarkus-run.jar is missing");
    }

    @Test
    void bindsEveryListenerToLoopbackAndEnforcesBackwardCompatibility() {
        assertThat(SchemaRegistryServer.arguments(Path.of("/a/quarkus-run.jar"), Path.of("/d"), 8081, 20000))
                .contains("-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=8081",
                        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=20000",
                        "-Dapicurio.rules.global.compatibility=BACKWARD",
                        "-Dapicurio.datasource.url=jdbc:h2:file:/d/registry")
                .endsWith("-jar", "/a/quarkus-run.jar");
    }
}
