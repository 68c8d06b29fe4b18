package dev.machina.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * machina-spark's place in the layers (docs/ARCHITECTURE.md; machina-cli's ArchitectureTest has
 * the rest, without this module, which the CLI does not depend on): {@code spark} uses the
 * experiment layer and below, never the CLI, the dashboard or ONNX export, and no other module's
 * code refers to it (the CLI finds it at run time as a {@code ClusterBackend}).
 */
class SparkArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.machina");
    }

    @Test
    void theModulesAreThere() {
        assertThat(classes.contain("dev.machina.spark.SparkBackend")).isTrue();
        assertThat(classes.contain("dev.machina.cli.Main")).isTrue();
    }

    @Test
    void sparkUsesTheExperimentLayerAndBelowOnly() {
        noClasses().that().resideInAPackage("dev.machina.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.machina.cli..", "dev.machina.ui..", "dev.machina.report..", "dev.machina.onnx..", "dev.machina.bench..").check(classes);
    }

    @Test
    void nothingElseRefersToSpark() {
        noClasses().that().resideOutsideOfPackage("dev.machina.spark..").should().dependOnClassesThat().resideInAPackage("dev.machina.spark..")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.machina.spark..").should().dependOnClassesThat().resideInAPackage("org.apache.spark..")
                .check(classes);
    }

    @Test
    void theBackendIsAService() {
        classes().that().haveSimpleName("SparkBackend").should().implement(dev.machina.experiment.ClusterBackend.class).check(classes);
    }
}
