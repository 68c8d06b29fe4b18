package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags Spark needs are Spark's own list ({@code JavaModuleOptions}): the launcher passes
 * them with --spark, and this module's tests run with them. (--add-modules jdk.incubator.vector,
 * in Spark's list too, every Machina JVM gets anyway.) Never -Djava.security.manager=allow: JDK 25
 * refuses to start with it.
 */
class SparkFlagsTest {
    static List<String> sparks() {
        List<String> l = new ArrayList<>(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        l.remove("--add-modules=jdk.incubator.vector");
        return l;
    }

    @Test
    void theLauncherPassesSparksList() throws Exception {
        String launcher = Files.readString(Path.of("..", "machina"));
        Matcher m = Pattern.compile("(?s)SPARK_FLAGS=\\((.*?)\\)\\n").matcher(launcher);
        assertThat(m.find()).as("SPARK_FLAGS=(…) in ./machina").isTrue();
        List<String> flags = List.of(m.group(1).trim().split("\\s+"));
        assertThat(flags).containsExactlyElementsOf(sparks());
        assertThat(launcher).doesNotContain("java.security.manager");
    }

    @Test
    void theseTestsRunWithThem() {
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(sparks());
    }
}
