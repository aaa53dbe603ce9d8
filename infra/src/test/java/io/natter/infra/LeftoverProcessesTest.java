package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverProcessesTest {
    @TempDir
    Path repo;

    private DevStackLayout layout;

    @BeforeEach
    void createLayout() {
        layout = DevStackLayout.under(repo);
        layout.create();
    }

    @Test
    void findsALiveJavaProcessNamedByAServicePidFile() {
        PidFile.write(layout.pidFile("edge-1"), ProcessHandle.current().pid());

        assertThat(LeftoverProcesses.find(layout))
                .containsExactly(new LeftoverProcesses.Leftover("edge-1", ProcessHandle.current()));
    }

    @Test
    void ignoresDeadPidsPidsOfOtherProgramsAndTheDevStacksOwnFile() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        PidFile.write(layout.pidFile("edge-1"), finished.pid());
        // This JVM is java, not redis-server or postgres: a recycled pid must not be killed.
        PidFile.write(layout.redis().resolve(RedisServer.PID_FILE), ProcessHandle.current().pid());
        PidFile.write(layout.postgres().resolve(PostgresServer.POSTMASTER_PID), ProcessHandle.current().pid());
        PidFile.write(layout.pidFile(LeftoverProcesses.DEV_STACK), ProcessHandle.current().pid());
        Files.writeString(layout.pidFile("garbled"), "not a pid\n");

        assertThat(LeftoverProcesses.find(layout)).isEmpty();
    }

    @Test
    void doesNotRefuseToStartBecauseOfItsOwnPidFile() {
        PidFile.write(layout.pidFile(LeftoverProcesses.DEV_STACK), ProcessHandle.current().pid());

        assertThatCode(() -> LeftoverProcesses.refuseIfAnotherStackRuns(layout)).doesNotThrowAnyException();
    }

    @Test
    void forgetsEveryPidFile() {
        PidFile.write(layout.pidFile("edge-1"), 1);
        PidFile.write(layout.pidFile(LeftoverProcesses.DEV_STACK), 2);

        LeftoverProcesses.forgetPidFiles(layout);

        assertThat(layout.run()).isEmptyDirectory();
    }
}
