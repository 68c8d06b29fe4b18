package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.machina.Machina;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machina used as a Maven dependency, as the README says: machina-core and machina-experiment
 * installed into the local repository, a separate project that depends on machina-experiment
 * built with Maven, and its program run with and without the Vector API module (without it,
 * the library says so once on stderr). Skips when {@code mvn} is not on the PATH.
 */
class MavenConsumerTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String WARNING = "machina: the Java Vector API is not enabled";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSeparateMavenProjectBuildsAndRunsAgainstTheInstalledLibrary(@TempDir Path tmp) throws Exception {
        Path mvn = onPath("mvn");
        assumeTrue(mvn != null, "mvn is not on the PATH; skipping the check that a Maven project can use the installed library");
        String version = Machina.version();
        assertThat(version).isNotEqualTo("unknown");

        // 1. What `./machina install` does, without the sources and javadoc jars (they only cost time here).
        run(ROOT, 240, mvn.toString(), "-B", "-q", "install", "-DskipTests", "-pl", "machina-core,machina-experiment", "-am");

        // 2. A project of its own: one dependency, one program that trains a spec and uses the core API.
        Path app = tmp.resolve("app");
        Files.createDirectories(app.resolve("src/main/java/example"));
        Files.writeString(app.resolve("pom.xml"), consumerPom(version));
        Files.writeString(app.resolve("src/main/java/example/Main.java"), """
                package example;

                import dev.machina.Machina;
                import dev.machina.experiment.Experiment;
                import dev.machina.experiment.SpecRunner;
                import java.nio.file.Path;
                import java.util.List;
                import java.util.Locale;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        Experiment exp = Experiment.parse("consumer.yaml", \"""
                                name: consumer
                                seed: 7
                                data: {dataset: digits, test: 0.2, validation: 0.1, transform: standardize}
                                model: [{linear: 10}]
                                optimizer: {name: adam, lr: 1.0e-2}
                                training: {epochs: 10, batch_size: 32}
                                \""", List.of());
                        SpecRunner.Result r = SpecRunner.of(exp).runsDir(Path.of(args[0])).report(false).run();
                        System.out.println("kernels " + Machina.runtimeInfo().get("kernels"));
                        System.out.printf(Locale.ROOT, "%s; test accuracy %.4f%n", r.history().status().label(), r.report().accuracy());
                    }
                }
                """);
        run(app, 180, mvn.toString(), "-B", "-q", "package",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath", "-Dmdep.outputFile=cp.txt");
        String cp = app.resolve("target/classes") + File.pathSeparator + Files.readString(app.resolve("cp.txt")).trim();
        assertThat(cp).contains("machina-core-" + version + ".jar").contains("machina-experiment-" + version + ".jar");

        // 3. Run it: with the module, vector kernels and no warning; without, scalar kernels and the warning once.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Output vector = run(app, 120, java, "--add-modules", "jdk.incubator.vector", "-cp", cp, "example.Main", tmp.resolve("runs").toString());
        assertThat(vector.out).contains("kernels vector");
        assertThat(testAccuracy(vector.out)).isGreaterThan(0.9);
        assertThat(vector.err).doesNotContain(WARNING);
        Output scalar = run(app, 120, java, "-cp", cp, "example.Main", tmp.resolve("runs").toString());
        assertThat(scalar.out).contains("kernels scalar");
        assertThat(testAccuracy(scalar.out)).isGreaterThan(0.9);
        assertThat(scalar.err).containsOnlyOnce(WARNING).contains("--add-modules jdk.incubator.vector");
    }

    static String consumerPom(String version) {
        // The plugin versions are the ones Machina's own build pins, so they are in the local repository already.
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>uses-machina</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>21</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>dev.machina</groupId>
                      <artifactId>machina-experiment</artifactId>
                      <version>VERSION</version>
                    </dependency>
                  </dependencies>
                  <build>
                    <pluginManagement>
                      <plugins>
                        <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                        <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.1</version></plugin>
                        <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
                        <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
                      </plugins>
                    </pluginManagement>
                  </build>
                </project>
                """.replace("VERSION", version);
    }

    static double testAccuracy(String out) {
        Matcher m = Pattern.compile("completed; test accuracy (\\d\\.\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    record Output(String out, String err) {}

    /** Runs a command in {@code dir} with this JVM's JDK as JAVA_HOME; fails on a non-zero exit or after {@code seconds}. */
    static Output run(Path dir, long seconds, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Path out = Files.createTempFile("machina-out", ".txt"), err = Files.createTempFile("machina-err", ".txt");
        try {
            return run(pb, out, err, seconds, cmd);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Output run(ProcessBuilder pb, Path out, Path err, long seconds, String... cmd) throws Exception {
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        if (Runtime.version().feature() >= 24 && !env.getOrDefault("MAVEN_OPTS", "").contains("sun-misc-unsafe")) {
            env.put("MAVEN_OPTS", (env.getOrDefault("MAVEN_OPTS", "") + " --sun-misc-unsafe-memory-access=allow").trim());
        }
        Process p = pb.start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        Output o = new Output(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        String what = String.join(" ", cmd) + "\nstdout:\n" + o.out + "\nstderr:\n" + o.err;
        assertThat(done).as("finished within %d s: %s", seconds, what).isTrue();
        assertThat(p.exitValue()).as(what).isZero();
        return o;
    }

    static Path onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
