package io.natter.mirrormaker;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Configuration of Natter's MirrorMaker: two regions replicated both ways, read from environment variables.
 *
 * @param regionA the first region (default {@code us})
 * @param regionB the second region (default {@code eu})
 * @param propertiesFile the MirrorMaker 2 properties template; empty = the bundled {@code mm2-us-eu.properties}
 * @param targetRegions the regions this node writes into: both by default; one when each region runs its own node
 */
public record MirrorMakerConfig(Region regionA, Region regionB, Optional<Path> propertiesFile, Set<String> targetRegions) {

    /** An environment variable with its default and meaning. */
    public record Key(String name, String defaultValue, String doc) {}

    public static final Key CONFIG_FILE = new Key("NATTER_MM2_CONFIG_FILE", "",
            "MirrorMaker 2 properties template; empty = the bundled mirrormaker/config/mm2-us-eu.properties.");
    public static final Key REGION_A = new Key("NATTER_MM2_REGION_A", "us",
            "Alias of the first region: a cluster alias of the template and the prefix of its mirrored topics.");
    public static final Key REGION_A_KAFKA_BOOTSTRAP = new Key("NATTER_MM2_REGION_A_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
            "Kafka bootstrap servers of the first region.");
    public static final Key REGION_A_SCHEMA_REGISTRY_URL = new Key("NATTER_MM2_REGION_A_SCHEMA_REGISTRY_URL",
            "http://127.0.0.1:8081/apis/ccompat/v7", "Confluent API root of the first region's schema registry.");
    public static final Key REGION_B = new Key("NATTER_MM2_REGION_B", "eu",
            "Alias of the second region.");
    public static final Key REGION_B_KAFKA_BOOTSTRAP = new Key("NATTER_MM2_REGION_B_KAFKA_BOOTSTRAP", "127.0.0.1:19092",
            "Kafka bootstrap servers of the second region.");
    public static final Key REGION_B_SCHEMA_REGISTRY_URL = new Key("NATTER_MM2_REGION_B_SCHEMA_REGISTRY_URL",
            "http://127.0.0.1:18081/apis/ccompat/v7", "Confluent API root of the second region's schema registry.");
    public static final Key TARGET_REGIONS = new Key("NATTER_MM2_TARGET_REGIONS", "",
            "Comma-separated regions this node replicates INTO; empty = both. In production run one node per region "
                    + "with its own alias, next to the cluster it writes.");

    /** Every key, in README order. */
    public static final List<Key> KEYS = List.of(CONFIG_FILE, REGION_A, REGION_A_KAFKA_BOOTSTRAP,
            REGION_A_SCHEMA_REGISTRY_URL, REGION_B, REGION_B_KAFKA_BOOTSTRAP, REGION_B_SCHEMA_REGISTRY_URL, TARGET_REGIONS);

    public MirrorMakerConfig {
        if (regionA.alias().equals(regionB.alias())) {
            throw new MirrorMakerConfigException("the two regions need different aliases, both are '" + regionA.alias() + "'");
        }
        targetRegions = Set.copyOf(targetRegions);
        Set<String> aliases = Set.of(regionA.alias(), regionB.alias());
        if (targetRegions.isEmpty() || !aliases.containsAll(targetRegions)) {
            throw new MirrorMakerConfigException("target regions must be among " + aliases + ", got " + targetRegions);
        }
    }

    /** Both directions between {@code a} and {@code b}, with the bundled properties template. */
    public static MirrorMakerConfig of(Region a, Region b) {
        return new MirrorMakerConfig(a, b, Optional.empty(), bothAliases(a, b));
    }

    /** Parses {@code env}, using each key's default when it is unset or blank. */
    public static MirrorMakerConfig fromEnv(Map<String, String> env) {
        Region a = new Region(text(env, REGION_A), text(env, REGION_A_KAFKA_BOOTSTRAP), text(env, REGION_A_SCHEMA_REGISTRY_URL));
        Region b = new Region(text(env, REGION_B), text(env, REGION_B_KAFKA_BOOTSTRAP), text(env, REGION_B_SCHEMA_REGISTRY_URL));
        String file = text(env, CONFIG_FILE);
        Set<String> targets = Arrays.stream(text(env, TARGET_REGIONS).split(","))
                .map(String::strip)
                .filter(alias -> !alias.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        return new MirrorMakerConfig(a, b, file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
                targets.isEmpty() ? bothAliases(a, b) : targets);
    }

    /** A set even when both aliases are equal, so the constructor can refuse that with a clear message. */
    private static Set<String> bothAliases(Region a, Region b) {
        return new LinkedHashSet<>(List.of(a.alias(), b.alias()));
    }

    /** The environment that {@link #fromEnv} reads back into this configuration, e.g. for a child process. */
    public Map<String, String> toEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(CONFIG_FILE.name(), propertiesFile.map(path -> path.toAbsolutePath().toString()).orElse(""));
        env.put(REGION_A.name(), regionA.alias());
        env.put(REGION_A_KAFKA_BOOTSTRAP.name(), regionA.bootstrapServers());
        env.put(REGION_A_SCHEMA_REGISTRY_URL.name(), regionA.schemaRegistryUrl());
        env.put(REGION_B.name(), regionB.alias());
        env.put(REGION_B_KAFKA_BOOTSTRAP.name(), regionB.bootstrapServers());
        env.put(REGION_B_SCHEMA_REGISTRY_URL.name(), regionB.schemaRegistryUrl());
        env.put(TARGET_REGIONS.name(), String.join(",", targetRegions.stream().sorted().toList()));
        return env;
    }

    /** The same configuration reading the MirrorMaker template from {@code file}. */
    public MirrorMakerConfig withPropertiesFile(Path file) {
        return new MirrorMakerConfig(regionA, regionB, Optional.of(file), targetRegions);
    }

    /** The same configuration replicating only into {@code targets}. */
    public MirrorMakerConfig withTargetRegions(Set<String> targets) {
        return new MirrorMakerConfig(regionA, regionB, propertiesFile, targets);
    }

    /** Both regions, A first. */
    public List<Region> regions() {
        return List.of(regionA, regionB);
    }

    /** The region named {@code alias}. */
    public Region region(String alias) {
        return regions().stream().filter(region -> region.alias().equals(alias)).findFirst()
                .orElseThrow(() -> new MirrorMakerConfigException("no region '" + alias + "' among "
                        + regionA.alias() + ", " + regionB.alias()));
    }

    private static String text(Map<String, String> env, Key key) {
        String value = env.get(key.name());
        return value == null || value.isBlank() ? key.defaultValue() : value.strip();
    }
}
