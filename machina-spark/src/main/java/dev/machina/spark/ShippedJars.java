package dev.machina.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The jars a trial task needs on an executor that Spark's own jars lack: machina-core,
 * machina-experiment, machina-spark, Jackson's YAML format with SnakeYAML, and Commons CSV. Each
 * is found where this JVM loaded it from; a class directory (a build's target/classes) is packed
 * into a temporary jar. They are added to the Spark context ({@code addJar}), so executors fetch
 * them from the driver: nothing needs installing on the cluster but Spark.
 */
final class ShippedJars {
    private ShippedJars() {}

    static final String[] CLASSES = {"dev.machina.Machina", "dev.machina.experiment.SweepSpec", "dev.machina.spark.SparkBackend",
        "com.fasterxml.jackson.dataformat.yaml.YAMLFactory", "org.yaml.snakeyaml.Yaml", "org.apache.commons.csv.CSVFormat"};

    static void addTo(JavaSparkContext jsc) {
        Set<String> have = new LinkedHashSet<>(CollectionConverters.asJava(jsc.sc().listJars()));
        for (Path p : jars()) {
            String uri = p.toUri().toString();
            boolean added = have.stream().anyMatch(j -> j.endsWith("/" + p.getFileName()));
            if (!added) jsc.addJar(uri);
        }
    }

    static Set<Path> jars() {
        Set<Path> out = new LinkedHashSet<>();
        for (String name : CLASSES) {
            try {
                CodeSource cs = Class.forName(name, false, ShippedJars.class.getClassLoader()).getProtectionDomain().getCodeSource();
                if (cs == null || cs.getLocation() == null) continue;
                Path p = Path.of(cs.getLocation().toURI());
                out.add(Files.isDirectory(p) ? packed(p) : p);
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException("cannot find " + name + " to ship to the executors: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** A class directory as a jar in a temporary directory (deleted when this JVM exits). */
    private static Path packed(Path classes) {
        try {
            String name = classes.getParent() != null && classes.getParent().getParent() != null
                    ? classes.getParent().getParent().getFileName() + ".jar" : "classes.jar";
            Path dir = Files.createTempDirectory("machina-jars-");
            Path jar = dir.resolve(name);
            try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o); Stream<Path> s = Files.walk(classes)) {
                for (Path f : s.sorted().toList()) {
                    if (!Files.isRegularFile(f)) continue;
                    j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, j);
                    j.closeEntry();
                }
            }
            jar.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + classes + " into a jar for the executors: " + e.getMessage(), e);
        }
    }
}
