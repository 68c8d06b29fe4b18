package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./machina launcher, run by bash on a copy of itself with a fake JDK (a release file and a
 * java that logs its arguments) and a fake mvn: which java options it passes, that it reads the
 * JDK's version without starting java, and how it makes and uses the start-up cache.
 */
class LauncherTest {
    @TempDir
    Path root;

    Path jdk, log, jar, cache;

    @BeforeEach
    void setUp() throws Exception {
        Path launcher = Path.of("..", "machina").toAbsolutePath().normalize();
        Files.copy(launcher, root.resolve("machina"));
        jar = Files.createDirectories(root.resolve("machina-cli/target/lib")).resolveSibling("machina-cli.jar");
        Files.writeString(jar, "not a real jar");
        Files.writeString(jar.resolveSibling("lib/dep.jar"), "nor this");
        Files.setLastModifiedTime(jar.resolveSibling("lib/dep.jar"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        cache = jar.resolveSibling("machina-cli.aot");
        log = root.resolve("java.log");
        jdk = root.resolve("jdk");
        // java: logs one line per start; with -XX:AOTCacheOutput=F it writes F (as the JDK does at exit) unless FAIL is set
        script(jdk.resolve("bin/java"), """
                #!/bin/sh
                echo "java $*" >>"%s"
                for a in "$@"; do case "$a" in -XX:AOTCacheOutput=*) [ -z "$FAIL" ] || exit 1; echo cache >"${a#-XX:AOTCacheOutput=}" ;; esac; done
                echo ran
                """.formatted(log));
        script(jdk.resolve("bin/javac"), "#!/bin/sh\nexit 0\n");
        script(root.resolve("bin/mvn"), "#!/bin/sh\nexit 0\n");
        release("25.0.1");
    }

    private static void script(Path p, String text) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void release(String version) throws Exception {
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\nJAVA_RUNTIME_VERSION=\"" + version + "+1\"\n");
    }

    /** Runs the launcher; returns its combined output. */
    private String run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("machina").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("MACHINA_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private List<String> starts() throws Exception {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void theJdksVersionComesFromItsReleaseFileAndJavaStartsOnce() throws Exception {
        assertThat(run(Map.of(), "info")).contains("ran");
        assertThat(starts()).as("no java started to read a version").hasSize(1);
        assertThat(starts().get(0)).contains("--add-modules jdk.incubator.vector").contains("--sun-misc-unsafe-memory-access=allow")
                .endsWith("-jar " + jar + " info").doesNotContain("AOTCache")
                .as("C2 compiles the kernels sooner").contains("-XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,dev.machina.kernel.*::*,0.2 ");
    }

    @Test
    void theAotCacheIsUsedOnlyWhileNewerThanEveryJarAndMadeByThisJdk() throws Exception {
        Files.writeString(cache, "cache");
        Files.writeString(cache.resolveSibling("machina-cli.aot.jdk"), jdk + "\n");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 30_000));
        run(Map.of(), "info");
        assertThat(starts().get(0)).contains("-XX:AOTCache=" + cache + " -Xlog:aot=off -Xlog:cds=off");

        Files.writeString(jar.resolveSibling("lib/dep.jar"), "a dependency rebuilt after the cache");
        run(Map.of(), "info");
        assertThat(starts().get(1)).as("a jar newer than the cache").doesNotContain("AOTCache");

        Files.setLastModifiedTime(jar.resolveSibling("lib/dep.jar"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.writeString(cache.resolveSibling("machina-cli.aot.jdk"), "/another/jdk\n");
        run(Map.of(), "info");
        assertThat(starts().get(2)).as("made by another JDK").doesNotContain("AOTCache");
    }

    @Test
    void theBuildStepMakesTheCacheByTrainingTheDigitsExampleAndAFailureIsOnlyANote() throws Exception {
        String out = run(Map.of(), "build");
        assertThat(out).contains("preparing the start-up cache");
        assertThat(starts()).hasSize(1);
        assertThat(starts().get(0)).contains("-XX:AOTCacheOutput=" + cache + ".").contains("-jar " + jar + " train " + root.resolve("examples/digits-mlp.yaml"))
                .contains("--set training.epochs=2");
        assertThat(Files.readString(cache)).isEqualTo("cache\n");
        assertThat(Files.readString(cache.resolveSibling("machina-cli.aot.jdk")).strip()).isEqualTo(jdk.toString());
        run(Map.of(), "info");
        assertThat(starts().get(1)).contains("-XX:AOTCache=" + cache);

        out = run(Map.of("FAIL", "1"), "build");
        assertThat(out).contains("no start-up cache (see target/launcher/aot.log); running without it");
        assertThat(cache).doesNotExist();
        run(Map.of(), "info");
        assertThat(starts().get(3)).doesNotContain("AOTCache");
    }

    @Test
    void jdk21To24GetADynamicAppCdsArchive() throws Exception {
        release("21.0.2");
        run(Map.of(), "info");
        assertThat(starts()).hasSize(1);
        assertThat(starts().get(0)).contains("-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=" + jar.resolveSibling("machina-cli.jsa"))
                .doesNotContain("AOTCache").doesNotContain("--sun-misc-unsafe-memory-access")
                .contains("-XX:CompileCommand=CompileThresholdScaling,dev.machina.kernel.*::*,0.2"); // the three-part CompileCommand form: JDK 16+
    }
}
