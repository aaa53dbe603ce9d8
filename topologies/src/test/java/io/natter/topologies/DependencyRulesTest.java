package io.natter.topologies;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

class DependencyRulesTest {

    @Test
    void topologiesDependOnlyOnSchemasAmongNatterModules() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.natter.topologies");
        ArchRule rule = noClasses().that().resideInAPackage("io.natter.topologies..")
                .should().dependOnClassesThat(resideInAPackage("io.natter..")
                        .and(not(resideInAnyPackage("io.natter.topologies..", "io.natter.schemas.."))));

        rule.check(main);
    }

    @Test
    void topologyCoreKnowsNothingOfTheQueryApi() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.natter.topologies");
        // Only the app wires the two together; judge, processor and stores stay free of HTTP.
        ArchRule rule = noClasses().that().resideInAPackage("io.natter.topologies")
                .and().doNotHaveSimpleName("TopologiesApp")
                .should().dependOnClassesThat(resideInAnyPackage("io.natter.topologies.query..", "io.javalin..",
                        "com.fasterxml.jackson.."));

        rule.check(main);
    }
}
