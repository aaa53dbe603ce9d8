package io.natter.mirrormaker;

/** The MirrorMaker configuration (environment, properties file, or the clusters it describes) is unusable. */
public final class MirrorMakerConfigException extends RuntimeException {
    public MirrorMakerConfigException(String message) {
        super(message);
    }

    public MirrorMakerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
