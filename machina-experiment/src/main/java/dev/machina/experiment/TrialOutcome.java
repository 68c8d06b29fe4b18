package dev.machina.experiment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What a trial run elsewhere hands back to its sweep ({@link TrialTask#train}): the trial's
 * status, the objective after each epoch, and its run directory's files as a zip archive, which
 * {@link #unpack} writes out under another directory.
 *
 * @param ran           false when the sweep declined to start the trial (stopped, or out of time)
 * @param values        the objective after each epoch run
 * @param plannedEpochs the epochs the trial's spec asks for
 * @param files         the run directory as a zip archive (paths relative to it, directories included)
 */
public record TrialOutcome(int trial, boolean ran, String status, String error, double[] values, int plannedEpochs, double seconds,
                           byte[] files) implements Serializable {

    /** A trial that was not started. */
    public static TrialOutcome notRun(int trial) {
        return new TrialOutcome(trial, false, "", "", new double[0], 0, 0, new byte[0]);
    }

    static TrialOutcome of(int trial, SweepTrial.Ran r, Path runDir) throws IOException {
        double[] v = r.values().stream().mapToDouble(Double::doubleValue).toArray();
        return new TrialOutcome(trial, true, r.status(), r.error(), v, r.plannedEpochs(), r.seconds(), pack(runDir));
    }

    /** The files under {@code dir} as a zip archive. */
    public static byte[] pack(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                if (p.equals(dir)) continue;
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    zip.putNextEntry(new ZipEntry(name + "/"));
                } else {
                    zip.putNextEntry(new ZipEntry(name));
                    Files.copy(p, zip);
                }
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the run directory's files under {@code into} (created; it must not exist). Entries
     * that would leave it (absolute, {@code ..}) are refused.
     */
    public void unpack(Path into) throws IOException {
        Files.createDirectories(into.getParent());
        Files.createDirectory(into);
        Path root = into.toAbsolutePath().normalize();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(files))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName();
                Path p = root.resolve(name).normalize();
                if (name.startsWith("/") || name.contains("\\") || !p.startsWith(root) || p.equals(root)) {
                    throw new IOException("trial " + trial + ": refusing archive entry '" + name + "' (outside the run directory)");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else {
                    Files.createDirectories(p.getParent());
                    Files.copy((InputStream) zip, p);
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        c.force(true); // on disk before the directory is renamed into place
                    }
                }
            }
        }
    }

    /** The values as a list (NaN where an epoch logged none). */
    List<Double> valueList() {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
