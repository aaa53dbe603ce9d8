package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevStackConfigTest {
    @Test
    void defaultsToOneEdgeOneTopologiesAndSixPartitions() {
        assertThat(DevStackConfig.parse(List.of(), Map.of()))
                .isEqualTo(new DevStackConfig(false, 1, 1, 6, false));
    }

    @Test
    void readsEveryFlagInBothSpellings() {
        assertThat(DevStackConfig.parse(List.of("--clean", "--edges", "3", "--topologies=2", "--partitions", "12"),
                Map.of())).isEqualTo(new DevStackConfig(true, 3, 2, 12, false));
    }

    @Test
    void takesPartitionsFromTheEnvironmentUnlessTheFlagIsGiven() {
        assertThat(DevStackConfig.parse(List.of(), Map.of("NATTER_PARTITIONS", "3")).partitions()).isEqualTo(3);
        assertThat(DevStackConfig.parse(List.of("--partitions", "9"), Map.of("NATTER_PARTITIONS", "3")).partitions())
                .isEqualTo(9);
        assertThat(DevStackConfig.parse(List.of(), Map.of("NATTER_PARTITIONS", " ")).partitions()).isEqualTo(6);
    }

    @Test
    void allowsZeroServicesToRunOnlyTheInfrastructure() {
        assertThat(DevStackConfig.parse(List.of("--edges", "0", "--topologies", "0"), Map.of()))
                .isEqualTo(new DevStackConfig(false, 0, 0, 6, false));
    }

    @Test
    void recognisesHelp() {
        assertThat(DevStackConfig.parse(List.of("--help"), Map.of()).help()).isTrue();
        assertThat(DevStackConfig.parse(List.of("-h"), Map.of()).help()).isTrue();
    }

    @Test
    void rejectsUnknownArguments() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--edge", "2"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("unknown argument: --edge");
    }

    @Test
    void rejectsAMissingValue() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--edges"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--edges needs a value");
    }

    @Test
    void rejectsAValueOnASwitch() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--clean=yes"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--clean takes no value");
    }

    @Test
    void rejectsANonNumberNamingWhereItCameFrom() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--edges", "two"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--edges must be a whole number, got 'two'");
        assertThatThrownBy(() -> DevStackConfig.parse(List.of(), Map.of("NATTER_PARTITIONS", "many")))
                .isInstanceOf(UsageException.class).hasMessage("NATTER_PARTITIONS must be a whole number, got 'many'");
    }

    @Test
    void rejectsOutOfRangeCounts() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--partitions", "0"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--partitions must be at least 1, got 0");
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--edges", "-1"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--edges must be at least 0, got -1");
    }

    @Test
    void rejectsAFlagGivenTwice() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--edges", "1", "--edges=2"), Map.of()))
                .isInstanceOf(UsageException.class).hasMessage("--edges given twice");
    }

    @Test
    void readsTwoRegions() {
        assertThat(DevStackConfig.parse(List.of("--regions", "us, eu"), Map.of()).regions()).containsExactly("us", "eu");
        assertThat(DevStackConfig.parse(List.of(), Map.of()).regions()).isEmpty();
    }

    @Test
    void refusesOtherThanTwoDistinctRegions() {
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--regions", "us"), Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage("--regions needs two different region names [a-z][a-z0-9-]*, e.g. us,eu; got us");
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--regions=us,us"), Map.of()))
                .hasMessage("--regions needs two different region names [a-z][a-z0-9-]*, e.g. us,eu; got us,us");
        assertThatThrownBy(() -> DevStackConfig.parse(List.of("--regions=us,EU"), Map.of()))
                .hasMessage("--regions needs two different region names [a-z][a-z0-9-]*, e.g. us,eu; got us,EU");
    }

    @Test
    void usageListsEveryOptionWithItsDefault() {
        assertThat(DevStackConfig.usage().lines().toList()).containsExactly(
                "usage: ./natter dev [options]",
                "  --clean            " + DevStackConfig.CLEAN.doc(),
                "  --edges N          " + DevStackConfig.EDGES.doc() + " (default 1)",
                "  --topologies N     " + DevStackConfig.TOPOLOGIES.doc() + " (default 1)",
                "  --partitions N     " + DevStackConfig.PARTITIONS.doc() + " (default 6, or env NATTER_PARTITIONS)",
                "  --regions A,B      " + DevStackConfig.REGIONS.doc(),
                "  --help             " + DevStackConfig.HELP.doc());
    }

    @Test
    void readmeDocumentsEveryOption() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (DevStackConfig.Option option : DevStackConfig.OPTIONS) {
            assertThat(readme).as("README row for " + option.flag())
                    .contains("| `" + option.flag() + "` | " + option.envKey().map(key -> "`" + key + "`").orElse("")
                            + " | " + option.defaultValue() + " |");
        }
    }
}
