package io.natter.schemas;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class SchemasArchitectureTest {

    @Test
    void schemasDependOnNoOtherNatterModule() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.natter");
        // Only its own code, Avro, Kafka's serde interfaces, Jackson, and what protoc's generated gRPC code
        // needs (gRPC, protobuf, Guava's ListenableFuture): no other Natter module.
        classes().that().resideInAPackage("io.natter.schemas..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.natter.schemas..", "java..",
                        "org.apache.avro..", "org.apache.kafka.common..", "com.fasterxml.jackson..", "org.slf4j..",
                        "io.grpc..", "com.google.protobuf..", "com.google.common..")
                .check(classes);
    }
}
