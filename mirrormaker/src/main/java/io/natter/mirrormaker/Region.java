package io.natter.mirrormaker;

/**
 * One region's endpoints as MirrorMaker sees them.
 *
 * @param alias the region's name, MirrorMaker's cluster alias and the prefix of its mirrored topics ({@code us})
 * @param bootstrapServers the region's Kafka bootstrap servers
 * @param schemaRegistryUrl the Confluent API root of the region's schema registry
 */
public record Region(String alias, String bootstrapServers, String schemaRegistryUrl) {
    public Region {
        if (alias == null || !alias.matches("[A-Za-z0-9_-]+")) {
            // The alias becomes a topic prefix followed by '.', and MirrorMaker splits flows on "->".
            throw new MirrorMakerConfigException("a region alias is letters, digits, '_' or '-', got '" + alias + "'");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new MirrorMakerConfigException("region " + alias + " needs Kafka bootstrap servers");
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            throw new MirrorMakerConfigException("region " + alias + " needs a schema registry URL");
        }
    }
}
