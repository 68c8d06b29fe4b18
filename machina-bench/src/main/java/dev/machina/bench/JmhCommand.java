package dev.machina.bench;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * `machina bench jmh [JMH OPTIONS] [REGEX]`: the JMH benchmarks of this module (GemmBench,
 * MlpStepBench, LstmStepBench), every argument handed to {@code org.openjdk.jmh.Main} as it is;
 * the same as {@code java -cp machina-bench/target/machina-bench.jar org.openjdk.jmh.Main …}.
 * {@code jmh -h} is JMH's help, {@code jmh -l} lists the benchmarks.
 */
@Command(name = "jmh", description = {"The JMH benchmarks (GemmBench, MlpStepBench, LstmStepBench): every argument goes to JMH's own "
    + "command line, e.g. `jmh -l` (list), `jmh -h` (JMH's help), `jmh MlpStep -f 1 -wi 5 -i 5`."})
final class JmhCommand implements Runnable {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public void run() {
        try {
            org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("JMH: " + e.getMessage(), e);
        }
    }
}
