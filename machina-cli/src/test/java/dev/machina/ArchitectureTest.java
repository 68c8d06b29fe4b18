package dev.machina;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layers of docs/ARCHITECTURE.md, checked on the compiled classes of machina-core,
 * machina-experiment, machina-onnx, machina-ui, machina-report and machina-cli: kernel → tensor →
 * data, nn, loss, metrics, io, optim (side by side: none uses another) → train → run → tune →
 * experiment → ui, report (side by side) → cli, and onnx (on nn, data, io and below) → cli.
 * Nothing depends upwards, and no packages form a cycle.
 * machina-spark ({@code dev.machina.spark}, on experiment and below) is not on this module's class
 * path: its place is checked by machina-spark's SparkArchitectureTest.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.machina");
    }

    @Test
    void everyModuleIsThere() {
        assertThat(classes.contain("dev.machina.kernel.Kernels")).isTrue();
        assertThat(classes.contain("dev.machina.experiment.SpecRunner")).isTrue();
        assertThat(classes.contain("dev.machina.ui.UiServer")).isTrue();
        assertThat(classes.contain("dev.machina.report.ReportWriter")).isTrue();
        assertThat(classes.contain("dev.machina.cli.Main")).isTrue();
    }

    @Test
    void nothingDependsUpwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("kernel").definedBy("dev.machina.kernel..")
                .layer("tensor").definedBy("dev.machina.tensor..")
                .layer("data").definedBy("dev.machina.data..")
                .layer("nn").definedBy("dev.machina.nn..")
                .layer("loss").definedBy("dev.machina.loss..")
                .layer("metrics").definedBy("dev.machina.metrics..")
                .layer("io").definedBy("dev.machina.io..")
                .layer("optim").definedBy("dev.machina.optim..")
                .layer("train").definedBy("dev.machina.train..")
                .layer("run").definedBy("dev.machina.run..")
                .layer("tune").definedBy("dev.machina.tune..")
                .layer("experiment").definedBy("dev.machina.experiment..")
                .layer("onnx").definedBy("dev.machina.onnx..")
                .layer("ui").definedBy("dev.machina.ui..")
                .layer("report").definedBy("dev.machina.report..")
                .layer("cli").definedBy("dev.machina.cli..")
                .layer("version").definedBy("dev.machina")
                .whereLayer("kernel").mayNotAccessAnyLayer()
                .whereLayer("version").mayOnlyAccessLayers("kernel")
                .whereLayer("tensor").mayOnlyAccessLayers("kernel")
                .whereLayer("data").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("nn").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("loss").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("metrics").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("io").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("optim").mayOnlyAccessLayers("tensor", "kernel")
                .whereLayer("train").mayOnlyAccessLayers("optim", "nn", "loss", "metrics", "io", "data", "tensor", "kernel")
                .whereLayer("run").mayOnlyAccessLayers("train", "optim", "nn", "loss", "metrics", "io", "data", "tensor", "kernel", "version")
                .whereLayer("tune").mayOnlyAccessLayers("run", "train", "optim", "nn", "loss", "metrics", "io", "data", "tensor", "kernel", "version")
                .whereLayer("onnx").mayOnlyAccessLayers("nn", "data", "io", "tensor", "kernel", "version")
                .whereLayer("experiment").mayOnlyAccessLayers("tune", "run", "train", "optim", "nn", "loss", "metrics", "io", "data", "tensor",
                        "kernel", "version")
                .whereLayer("ui").mayOnlyAccessLayers("experiment", "tune", "run", "train", "optim", "nn", "loss", "metrics", "io", "data",
                        "tensor", "kernel", "version")
                .whereLayer("report").mayOnlyAccessLayers("experiment", "tune", "run", "train", "optim", "nn", "loss", "metrics", "io", "data",
                        "tensor", "kernel", "version")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.machina.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theRulesCatchAnUpwardDependency() {
        // the layer rule, applied to a class that reaches up (the CLI's Main uses the experiment layer), must fail
        EvaluationResult r = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("dev.machina.cli..")
                .layer("experiment").definedBy("dev.machina.experiment..")
                .whereLayer("cli").mayNotAccessAnyLayer()
                .evaluate(classes);
        assertThat(r.hasViolation()).isTrue();
    }
}
