package io.natter.mirrormaker;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DependencyRulesTest {
    private final JavaClasses main = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.natter.mirrormaker");

    @Test
    void mirrormakerDependsOnlyOnSchemasAmongNatterModules() {
        noClasses().that().resideInAPackage("io.natter.mirrormaker..")
                .should().dependOnClassesThat(resideInAPackage("io.natter..")
                        .and(not(resideInAnyPackage("io.natter.mirrormaker..", "io.natter.schemas.."))))
                .check(main);
    }

    @Test
    void theClientApiNeedsOnlyKafkaClientsAndMirrorClient() {
        // connect-mirror-client's classes share the org.apache.kafka.connect.mirror package with the runtime's.
        Set<String> mirrorClient = Set.of("org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
                "org.apache.kafka.connect.mirror.ReplicationPolicy");
        DescribedPredicate<JavaClass> runtime = resideInAPackage("org.apache.kafka.connect..")
                .and(DescribedPredicate.describe("outside connect-mirror-client",
                        type -> !mirrorClient.contains(type.getName())));

        noClasses().that().resideInAPackage("io.natter.mirrormaker.client..")
                .should().dependOnClassesThat(runtime.or(resideInAPackage("io.natter.mirrormaker")))
                .check(main);
    }
}
