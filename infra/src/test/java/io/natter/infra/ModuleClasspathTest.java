package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleClasspathTest {
    @TempDir
    Path repo;

    @Test
    void putsTheModulesClassesBeforeItsDependencies() throws Exception {
        Path classes = Files.createDirectories(repo.resolve("edge-ws/target/classes/io/natter/edge"));
        Files.writeString(classes.resolve("EdgeServer.class"), "");
        Files.writeString(repo.resolve("edge-ws/target/runtime-classpath.txt"), "/m2/a.jar:/m2/b.jar\n");

        assertThat(ModuleClasspath.of(repo, "edge-ws", "io.natter.edge.EdgeServer", "hint"))
                .isEqualTo(new ModuleClasspath("edge-ws",
                        repo.resolve("edge-ws/target/classes") + File.pathSeparator + "/m2/a.jar:/m2/b.jar"));
    }

    @Test
    void saysWhichFileIsMissingWhenTheModuleIsNotBuilt() {
        assertThatThrownBy(() -> ModuleClasspath.of(repo, "topologies", "io.natter.topologies.TopologiesApp",
                "To start only the other parts, pass --topologies 0."))
                .isInstanceOf(StartupException.class)
                .hasMessage("topologies is not built: topologies/target/classes/io/natter/topologies/TopologiesApp.class"
                        + " is missing. Build it with ./mvnw -q -DskipTests package (./natter dev builds when needed)."
                        + " To start only the other parts, pass --topologies 0.");
    }
}
