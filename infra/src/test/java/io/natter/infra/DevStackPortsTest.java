package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevStackPortsTest {
    @Test
    void usesTheWellKnownPortsWhenFree() {
        assertThat(DevStackPorts.choose(1, 1, port -> true))
                .isEqualTo(new DevStackPorts(9092, 8081, 6379, 5432, 9000, 8070, List.of(8080), List.of(8090), List.of(9090)));
    }

    @Test
    void movesEveryPortOfASecondRegionUpByTheOffset() {
        assertThat(DevStackPorts.choose(2, 1, 10_000, port -> true))
                .isEqualTo(new DevStackPorts(19092, 18081, 16379, 15432, 19000, 18070, List.of(18080, 18082), List.of(18090),
                        List.of(19090, 19091)));
        assertThat(DevStackPorts.choose(1, 1, 10_000, port -> port != 15432).postgres()).isEqualTo(25432);
    }

    @Test
    void numbersFurtherEdgesUpwardsSkippingTheRegistryPort() {
        assertThat(DevStackPorts.choose(3, 1, port -> true).edges()).containsExactly(8080, 8082, 8083);
        assertThat(DevStackPorts.choose(0, 1, port -> true).edges()).isEmpty();
    }

    @Test
    void givesEachTopologiesInstanceAQueryPortFrom8090PastTheEdges() {
        assertThat(DevStackPorts.choose(1, 3, port -> true).topologyQueries()).containsExactly(8090, 8091, 8092);
        // Eleven edges reach 8090 and 8091 (8081 skipped), so the query ports move past them.
        DevStackPorts many = DevStackPorts.choose(11, 2, port -> true);
        assertThat(many.edges()).contains(8090, 8091);
        assertThat(many.topologyQueries()).containsExactly(8092, 8093);
    }

    @Test
    void givesEachEdgeAGrpcPortFrom9090SkippingKafkasPort() {
        assertThat(DevStackPorts.choose(3, 1, port -> true).edgeGrpc()).containsExactly(9090, 9091, 9093);
        assertThat(DevStackPorts.choose(0, 1, port -> true).edgeGrpc()).isEmpty();
        assertThatThrownBy(() -> DevStackPorts.choose(2, 1, port -> port != 9091))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("port 9091 for the gRPC port of edge-2 is in use");
    }

    @Test
    void movesPostgresTo15432WhenASystemPostgresHolds5432() {
        assertThat(DevStackPorts.choose(1, 1, port -> port != 5432).postgres()).isEqualTo(15432);
    }

    @Test
    void refusesWhenAFixedPortIsTaken() {
        assertThatThrownBy(() -> DevStackPorts.choose(1, 1, port -> port != 9092))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("port 9092 for Kafka is in use on 127.0.0.1");
        assertThatThrownBy(() -> DevStackPorts.choose(2, 1, port -> !Set.of(8082).contains(port)))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("port 8082 for edge-2 is in use");
        assertThatThrownBy(() -> DevStackPorts.choose(1, 1, port -> port != 5432 && port != 15432))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("port 15432 for Postgres (5432 is taken too) is in use");
    }
}
