package io.natter.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Tells Avro to trust Natter's generated classes. Avro 1.12 refuses to load record classes outside
 * a global allow-list (defence against gadget classes named in schemas); its list is global by
 * Avro's design, so Natter adds its one package once per JVM, keeping whatever was trusted before.
 */
public final class AvroTrust {
    private static final String GENERATED_PACKAGE = "io.natter.schemas.avro";
    private static boolean installed;

    private AvroTrust() {}

    /** Adds {@code io.natter.schemas.avro} to Avro's trusted packages; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> type.getPackageName().equals(GENERATED_PACKAGE)));
        installed = true;
    }
}
