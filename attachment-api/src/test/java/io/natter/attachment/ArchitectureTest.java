package io.natter.attachment;

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
            .importPackages("io.natter.attachment");

    /**
     * Beyond schemas, only the edge parts shared on purpose: token checks, the error body and codes, the JSON dialect,
     * the room query client with its membership rule, and the command producer. Never the topologies or infra.
     */
    @Test
    void dependsOnSchemasAndOnlyTheSharedPartsOfTheEdge() {
        noClasses().that().resideInAPackage("io.natter.attachment..")
                .should().dependOnClassesThat(resideInAPackage("io.natter..")
                        .and(resideOutsideOfPackages("io.natter.attachment..", "io.natter.schemas..",
                                "io.natter.edge.auth..", "io.natter.edge.error..", "io.natter.edge.query..",
                                "io.natter.edge.kafka..", "io.natter.edge.rooms..", "io.natter.edge"))
                        .or(resideInAPackage("io.natter.edge.rooms..").and(
                                com.tngtech.archunit.base.DescribedPredicate.describe("other than RoomQueries",
                                        c -> !c.getName().equals("io.natter.edge.rooms.RoomQueries")))))
                .check(mainClasses);
    }
}
