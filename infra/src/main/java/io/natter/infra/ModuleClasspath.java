package io.natter.infra;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Natter module's compiled classes plus its runtime dependencies ({@code target/runtime-classpath.txt}, written by
 * the build), enough to start one of its main classes as a plain JVM.
 */
public record ModuleClasspath(String module, String classpath) {

    /**
     * Reads the classpath of {@code module} under {@code repoRoot}, checking that {@code mainClass} was compiled.
     *
     * @param hint appended to the error when the module is not built, e.g. how to run without it
     */
    public static ModuleClasspath of(Path repoRoot, String module, String mainClass, String hint) {
        Path target = repoRoot.resolve(module).resolve("target");
        Path classes = target.resolve("classes");
        Path mainFile = classes.resolve(mainClass.replace('.', '/') + ".class");
        Path dependencies = target.resolve("runtime-classpath.txt");
        for (Path required : new Path[] {mainFile, dependencies}) {
            if (!Files.isRegularFile(required)) {
                throw new StartupException(module + " is not built: " + repoRoot.relativize(required) + " is missing. "
                        + "Build it with ./mvnw -q -DskipTests package (./natter dev builds when needed). " + hint);
            }
        }
        try {
            return new ModuleClasspath(module, classes + File.pathSeparator + Files.readString(dependencies).trim());
        } catch (IOException e) {
            throw new StartupException("could not read " + dependencies, e);
        }
    }
}
