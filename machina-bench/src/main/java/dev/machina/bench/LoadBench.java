package dev.machina.bench;

import dev.machina.data.DatasetNotFoundException;
import dev.machina.data.Datasets;
import dev.machina.data.TrainTest;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * `machina bench load`: loads all of Fashion-MNIST (train + test) into tensors a few times and
 * prints the wall time of each load:
 * <pre>./machina bench load [--data DIR] [--repeats N]</pre>
 * The images are held as bytes (47 MB for the training set), so the time is mostly
 * decompression; transparent huge pages in {@code madvise} mode ({@code -XX:+UseTransparentHugePages},
 * which {@code ./machina} passes when the kernel offers them) cut the first-touch page faults.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Wall time of loading all of Fashion-MNIST (train + test) into tensors, a few times over.")
final class LoadBench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default: the first standard one that has it).")
    Path data;

    @Option(names = "--repeats", defaultValue = "5", description = "Loads (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public void run() {
        if (repeats < 1) throw new UserError("--repeats must be at least 1, got " + repeats);
        PrintWriter out = spec.commandLine().getOut();
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            TrainTest tt;
            try {
                tt = Datasets.fashionMnist(data);
            } catch (DatasetNotFoundException e) {
                throw new UserError(e.getMessage() + ", or use --data DIR");
            }
            long t1 = System.nanoTime();
            out.printf("run %d: loaded %d + %d examples %s in %.3f s%n", r, tt.train().size(), tt.test().size(),
                    java.util.Arrays.toString(tt.train().featureShape()), (t1 - t0) / 1e9);
            out.flush();
        }
    }
}
