package dev.machina.data;

import java.nio.file.Path;

/**
 * Loads all of Fashion-MNIST (train + test) into tensors a few times and prints the wall time of
 * each load. Not a test: run it by hand, e.g.
 * <pre>
 * mvn -pl machina-core test-compile
 * mvn -pl machina-core dependency:build-classpath -Dmdep.outputFile=/tmp/deps.txt
 * java [-XX:+UseTransparentHugePages] -cp machina-core/target/classes:machina-core/target/test-classes:$(cat /tmp/deps.txt) \
 *     dev.machina.data.LoadBench [dir] [reps]
 * </pre>
 * The time is dominated by first-touch page faults of the 188 MB float array of the training
 * images (decompression is about 0.3 s); with transparent huge pages in {@code madvise} mode,
 * {@code -XX:+UseTransparentHugePages} cuts the first load by more than half.
 */
public final class LoadBench {
    private LoadBench() {}

    public static void main(String[] args) {
        Path dir = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : null;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            TrainTest tt = Datasets.fashionMnist(dir);
            long t1 = System.nanoTime();
            System.out.printf("run %d: loaded %d + %d examples %s in %.3f s%n", r, tt.train().size(), tt.test().size(),
                    java.util.Arrays.toString(tt.train().featureShape()), (t1 - t0) / 1e9);
        }
    }
}
