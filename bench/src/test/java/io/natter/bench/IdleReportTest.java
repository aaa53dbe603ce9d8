package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdleReportTest {
    private static final IdleRun.EdgeMemory EDGE = new IdleRun.EdgeMemory("ws://127.0.0.1:8080/ws", 42, 10_000,
            300L << 20, 500L << 20, 20L << 20, 120L << 20);
    private static final IdleRun.IdleReport REPORT = new IdleRun.IdleReport("idle", "running stack", "Lrun", 10_000,
            10_000, Map.of(), 80.4, new SystemLimits(20_000, 32768, 60999), List.of(EDGE), false);

    @Test
    void dividesTheGrowthByTheConnectionsTheEdgeHolds() {
        assertThat(EDGE.rssPerConnection()).isEqualTo((200L << 20) / 10_000);
        assertThat(EDGE.heapPerConnection()).isEqualTo((100L << 20) / 10_000);
    }

    @Test
    void rendersOneRowPerEdgeUnderAHeaderOfAsManyCells() {
        assertThat(REPORT.markdownRows()).containsExactly(
                "| idle | ws://127.0.0.1:8080/ws | 10000 | 300.0 → 500.0 | 20.0 → 120.0 | 20.5 KiB | 10.2 KiB |");
        assertThat(IdleRun.IdleReport.markdownHeader().lines().findFirst().orElseThrow().chars()
                .filter(c -> c == '|').count()).isEqualTo(REPORT.markdownRows().getFirst().chars()
                .filter(c -> c == '|').count());
    }

    @Test
    void theJsonCarriesThePerConnectionFigures() throws Exception {
        JsonNode edge = new ObjectMapper().valueToTree(REPORT).get("edges").get(0);
        assertThat(edge.get("pid").asLong()).isEqualTo(42);
        assertThat(edge.get("rssPerConnection").asLong()).isEqualTo(EDGE.rssPerConnection());
        assertThat(edge.get("heapPerConnection").asLong()).isEqualTo(EDGE.heapPerConnection());
    }
}
