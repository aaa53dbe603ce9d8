package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parsers of /proc, jcmd and Prometheus texts, on samples of each. */
class ProcFilesTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (edge) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1500 250 3 4 20 0 40 0 100 "
                + "1000000 5000 18446744073709551615";
        assertThat(ProcessCpu.ticksOf(stat)).isEqualTo(1750);
    }

    @Test
    void readsThisProcesssOwnTicks() {
        assertThat(ProcessCpu.readTicks(ProcessHandle.current().pid())).isPresent();
        assertThat(ProcessCpu.readTicks(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void findsTheDevStacksLiveProcessesFromItsPidFiles(@TempDir Path natter) throws IOException {
        Path run = Files.createDirectories(natter.resolve("run"));
        Files.writeString(run.resolve("edge-1.pid"), ProcessHandle.current().pid() + "\n");
        Files.writeString(run.resolve("topologies-1.pid"), "2147483646\n");
        Files.writeString(run.resolve("broken.pid"), "not a pid");
        Files.writeString(run.resolve("notes.txt"), "1");
        assertThat(ProcessCpu.devStackProcesses(natter))
                .containsExactly(new LoadOptions.NamedPid("edge-1", ProcessHandle.current().pid()));
        assertThat(ProcessCpu.devStackProcesses(natter.resolve("absent"))).isEmpty();
    }

    @Test
    void measuresTheCpuOfANamedProcess() {
        ProcessCpu cpu = new ProcessCpu(java.util.List.of(new LoadOptions.NamedPid("me", ProcessHandle.current().pid())),
                100);
        cpu.start();
        cpu.sample();
        assertThat(cpu.usage()).singleElement().satisfies(usage -> {
            assertThat(usage.name()).isEqualTo("me");
            assertThat(usage.cpuSeconds()).isGreaterThanOrEqualTo(0);
        });
    }

    @Test
    void readsRssAndHeapUsed() {
        assertThat(ProcessMemory.rssBytes("Name:\tjava\nVmPeak:\t 9 kB\nVmRSS:\t  204800 kB\nRssAnon: 1 kB\n"))
                .isEqualTo(204800L * 1024);
        String heapInfo = "15202:\ngarbage-first heap   total reserved 6172672K, committed 393216K, used 11992K "
                + "[0x0000000687400000, 0x0000000800000000)\n region size 4096K, 3 young (12288K), 1 survivors (4096K)\n"
                + " Metaspace       used 900K, committed 1000K, reserved 1114112K\n";
        assertThat(ProcessMemory.heapUsedBytes(heapInfo)).isEqualTo(11992L * 1024);
        String parallelHeapInfo = "13607:\nPSYoungGen      total 48128K, used 39261K [0x00000000eab00000, "
                + "0x00000000ee200000, 0x0000000100000000)\n eden space 41984K, 93% used [0x00000000eab00000,"
                + "0x00000000ed3ff6e8,0x00000000ed400000)\n from space 6144K, 0% used [0x00000000edc00000)\n"
                + "ParOldGen       total 258048K, used 130119K [0x00000000c0000000, 0x00000000cfc00000)\n"
                + " object space 258048K, 50% used [0x00000000c0000000,0x00000000c7f11c18,0x00000000cfc00000)\n"
                + " Metaspace       used 71030K, committed 71872K, reserved 1114112K\n";
        assertThat(ProcessMemory.heapUsedBytes(parallelHeapInfo)).isEqualTo((39261L + 130119L) * 1024);
        assertThatThrownBy(() -> ProcessMemory.heapUsedBytes("nothing")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheOpenFilesLimitAndPortRange() {
        String limits = "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max processes             95000                95000                processes\n"
                + "Max open files            20000                40000                files\n";
        assertThat(SystemLimits.softOpenFiles(limits)).isEqualTo(20000);
        assertThat(SystemLimits.softOpenFiles("Max open files            unlimited            unlimited   files\n"))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(SystemLimits.portRange("32768\t60999\n")).containsExactly(32768, 60999);
        assertThat(new SystemLimits(1, 32768, 60999).ephemeralPorts()).isEqualTo(28232);
    }

    @Test
    void findsTheInodeOfTheListeningSocketOnAPort() {
        String tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                + "   0: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 111 1\n"
                + "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1\n"
                + "   2: 0100007F:1F92 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1\n";
        assertThat(ListeningProcess.listeningInode(tcp, 8080)).contains("222");
        assertThat(ListeningProcess.listeningInode(tcp, 8082)).contains("333");
        assertThat(ListeningProcess.listeningInode(tcp, 9999)).isEmpty();
    }

    @Test
    void sumsAPrometheusMetricOverItsLabelsAndIgnoresLongerNames() {
        String text = "# HELP chat_slow_consumer_closes_total x\n# TYPE chat_slow_consumer_closes_total counter\n"
                + "chat_slow_consumer_closes_total{node=\"a b\"} 2.0\n"
                + "chat_slow_consumer_closes_total{node=\"c\"} 1.0 1700000000000\n"
                + "chat_slow_consumer_closes_total_extra 9.0\n"
                + "chat_ws_active_sessions 10.0\n";
        assertThat(PrometheusText.sum(text, "chat_slow_consumer_closes_total")).hasValue(3.0);
        assertThat(PrometheusText.sum(text, "chat_ws_active_sessions")).hasValue(10.0);
        assertThat(PrometheusText.sum(text, "absent_metric")).isEmpty();
    }
}
