package io.natter.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class InfraArchitectureTest {

    @Test
    void infraStartsServicesAsProcessesAndImportsOnlySchemas() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.natter");
        // The dev stack spawns the edge and topologies by class name; compiling against them would couple the modules.
        noClasses().that().resideInAPackage("io.natter.infra..")
                .should().dependOnClassesThat().resideInAnyPackage("io.natter.edge..", "io.natter.topologies..",
                        "io.natter.attachment..", "io.natter.mirrormaker..", "io.natter.bench..")
                .check(classes);
    }
}
