package io.natter.edge;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final JavaClasses mainClasses = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.natter.edge");

    @Test
    void edgeDependsOnNoNatterModuleButSchemasAndTheReplicationClientApi() {
        noClasses().that().resideInAPackage("io.natter.edge..")
                .should().dependOnClassesThat(resideInAPackage("io.natter..")
                        .and(resideOutsideOfPackages("io.natter.edge..", "io.natter.schemas..",
                                "io.natter.mirrormaker.client..")))
                .check(mainClasses);
    }
}
