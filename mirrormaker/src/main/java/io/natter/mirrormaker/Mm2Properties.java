package io.natter.mirrormaker;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The MirrorMaker 2 properties of one run: the checked-in template (declarative, reviewed) plus the endpoints of
 * this run (bootstrap servers and registry URLs), which the template deliberately leaves out.
 */
final class Mm2Properties {
    /** The bundled template, {@code mirrormaker/config/mm2-us-eu.properties}, on the classpath. */
    static final String BUNDLED_TEMPLATE = "mm2-us-eu.properties";

    private Mm2Properties() {}

    /** Reads the template from {@code file}, or the bundled one when empty. */
    static Map<String, String> loadTemplate(Optional<Path> file) {
        Properties properties = new Properties();
        try {
            if (file.isPresent()) {
                try (Reader reader = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
            } else {
                try (InputStream in = Mm2Properties.class.getClassLoader().getResourceAsStream(BUNDLED_TEMPLATE)) {
                    if (in == null) {
                        throw new MirrorMakerConfigException(BUNDLED_TEMPLATE + " is not on the classpath");
                    }
                    properties.load(in);
                }
            }
        } catch (IOException e) {
            throw new MirrorMakerConfigException("cannot read MirrorMaker properties "
                    + file.map(Path::toString).orElse(BUNDLED_TEMPLATE) + ": " + e.getMessage(), e);
        }
        Map<String, String> template = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> template.put(name, properties.getProperty(name).strip()));
        return template;
    }

    /**
     * The template with this run's endpoints filled in: each region's {@code <alias>.bootstrap.servers} and, for each
     * flow, the source and target registry of its {@link SchemaIdTranslator}. Refuses a template whose clusters are
     * not the two configured regions, or an enabled flow that would mirror values without translating schema ids.
     */
    static Map<String, String> render(Map<String, String> template, MirrorMakerConfig config) {
        Set<String> clusters = list(template.getOrDefault("clusters", ""));
        Set<String> regions = Set.of(config.regionA().alias(), config.regionB().alias());
        if (!clusters.equals(regions)) {
            throw new MirrorMakerConfigException("the MirrorMaker template declares clusters " + new TreeSet<>(clusters)
                    + " but the configured regions are " + new TreeSet<>(regions) + "; write a template for that pair");
        }
        Map<String, String> rendered = new TreeMap<>(template);
        for (Region region : config.regions()) {
            rendered.put(region.alias() + ".bootstrap.servers", region.bootstrapServers());
        }
        for (Region source : config.regions()) {
            for (Region target : config.regions()) {
                if (!source.equals(target)) {
                    fillSchemaIdTranslators(rendered, source, target);
                }
            }
        }
        return rendered;
    }

    private static void fillSchemaIdTranslators(Map<String, String> rendered, Region source, Region target) {
        String flow = source.alias() + "->" + target.alias() + ".";
        if (!Boolean.parseBoolean(rendered.get(flow + "enabled"))) {
            return;
        }
        List<String> translators = list(rendered.getOrDefault(flow + "transforms", "")).stream()
                .filter(name -> SchemaIdTranslator.class.getName().equals(rendered.get(flow + "transforms." + name + ".type")))
                .toList();
        if (translators.isEmpty()) {
            throw new MirrorMakerConfigException("flow " + source.alias() + "->" + target.alias() + " is enabled but has no "
                    + SchemaIdTranslator.class.getName() + " transform: mirrored values would carry "
                    + source.alias() + "'s schema ids, which mean nothing to " + target.alias() + "'s registry");
        }
        for (String name : translators) {
            String prefix = flow + "transforms." + name + ".";
            rendered.put(prefix + SchemaIdTranslator.SOURCE_REGISTRY_URL, source.schemaRegistryUrl());
            rendered.put(prefix + SchemaIdTranslator.TARGET_REGISTRY_URL, target.schemaRegistryUrl());
        }
    }

    private static Set<String> list(String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(item -> !item.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
