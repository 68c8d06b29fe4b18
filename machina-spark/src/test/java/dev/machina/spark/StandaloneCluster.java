package dev.machina.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a Master and {@code workers} Workers (1 core,
 * 1 GB each), each a JVM of its own started from the Maven jars, as Spark's scripts would start
 * them. The Workers launch executors from a Spark home whose {@code jars/} folder links to the
 * test class path's jars (class directories packed into jars), less Machina's own modules: those
 * reach the executors the way they reach a real cluster, shipped by the driver
 * ({@link ShippedJars}). Ports are free ones; logs and work directories are under
 * {@code target/spark-tests/}. {@link #close()} kills the JVMs and the executors they started.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> processes = new ArrayList<>();
    private final Path home, dir;
    private final int masterPort, webPort;
    private final Thread hook = new Thread(this::kill, "spark-test-cluster-kill");

    private StandaloneCluster(Path dir) throws IOException {
        this.dir = dir;
        this.home = dir.resolve("spark-home");
        this.masterPort = freePort();
        this.webPort = freePort();
    }

    /** Starts the Master and the Workers and returns once every Worker has registered (or fails after {@code timeoutS}). */
    static StandaloneCluster start(int workers, int timeoutS) throws Exception {
        Path root = Path.of(System.getProperty("machina.spark.testDir", "target/spark-tests")).toAbsolutePath();
        StandaloneCluster c = new StandaloneCluster(Files.createDirectories(root.resolve("cluster-" + UUID.randomUUID().toString().substring(0, 8))));
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            c.makeHome();
            c.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(c.masterPort),
                    "--webui-port", String.valueOf(c.webPort));
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(c.dir.resolve("work-" + i));
                c.launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", c.masterUrl(), "--host", "127.0.0.1", "--cores", "1",
                        "--memory", "1g", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString());
            }
            c.awaitWorkers(workers, timeoutS);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The Master's status page as JSON ({@code /json} of its web UI). */
    JsonNode status() throws IOException {
        return JSON.readTree(URI.create("http://127.0.0.1:" + webPort + "/json").toURL());
    }

    /** The executor JVMs the Workers started (children of the Worker processes). */
    List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Process p : processes) p.descendants().forEach(out::add);
        return out;
    }

    private void awaitWorkers(int n, int timeoutS) throws Exception {
        long end = System.nanoTime() + timeoutS * 1_000_000_000L;
        String last = "";
        while (System.nanoTime() < end) {
            for (Process p : processes) {
                if (!p.isAlive()) throw new IllegalStateException("a cluster JVM exited with " + p.exitValue() + "; see the logs in " + dir);
            }
            try {
                JsonNode s = status();
                int alive = 0;
                for (JsonNode w : s.path("workers")) if (w.path("state").asText().equals("ALIVE")) alive++;
                if (alive >= n) return;
                last = alive + " of " + n + " workers alive";
            } catch (IOException notYet) {
                last = "master not answering: " + notYet.getMessage();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the test cluster did not come up in " + timeoutS + " s (" + last + "); logs in " + dir);
    }

    private void launch(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-Xmx256m", "-Dspark.master.rest.enabled=false", "-cp", home.resolve("jars") + File.separator + "*", mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOCAL_DIRS", Files.createDirectories(dir.resolve("local")).toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        processes.add(pb.start());
    }

    /** SPARK_HOME/jars: links to the test class path's jars, class directories packed, Machina's modules left out. */
    private void makeHome() throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Set<String> names = new LinkedHashSet<>();
        int packed = 0;
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path p = Path.of(entry).toAbsolutePath();
            if (!Files.exists(p) || isMachina(p)) continue;
            if (Files.isDirectory(p)) {
                pack(p, jars.resolve("classes-" + (packed++) + ".jar"));
            } else if (p.toString().endsWith(".jar") && names.add(p.getFileName().toString())) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
            }
        }
    }

    /** Machina's own modules: their class directories in this build, or their jars. */
    private static boolean isMachina(Path p) {
        String s = p.toString().replace('\\', '/');
        if (s.contains("/dev/machina/")) return true; // a jar in the local Maven repository
        if (s.endsWith("/test-classes")) return false; // this module's tests (the tiny jobs' functions)
        return p.getFileName().toString().startsWith("machina-") || s.matches(".*/machina-[a-z]+/target/classes");
    }

    private static void pack(Path classes, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o); Stream<Path> s = Files.walk(classes)) {
            for (Path f : s.sorted().toList()) {
                if (!Files.isRegularFile(f)) continue;
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void kill() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.onExit().get();
            } catch (Exception ignored) {
                // it is gone or going
            }
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
    }
}
