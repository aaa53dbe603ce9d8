package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void picksDistinctBindablePortsBelowTheEphemeralRange() {
        List<Integer> ports = FreePorts.pick(5);

        assertThat(ports).hasSize(5).doesNotHaveDuplicates().allMatch(port -> port >= 10_000 && port < 32_768);
        assertThat(ports).allMatch(FreePorts::isFree);
    }

    @Test
    void reportsABoundPortAsTaken() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePorts.isFree(socket.getLocalPort())).isFalse();
        }
    }
}
