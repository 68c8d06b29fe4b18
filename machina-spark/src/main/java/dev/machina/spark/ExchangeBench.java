package dev.machina.spark;

import java.io.Serializable;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The gradient exchange's cost per step against model size: {@code workers} tasks of a barrier
 * stage join a {@link RingAllReduce} as data-parallel training does, then time repeated sums of
 * float arrays of each size. Prints, per size, the median and 90th-percentile time of worker 0
 * and the bus bandwidth it implies ({@code 2(N-1)/N · bytes / time}, what each worker sends).
 *
 * <pre>
 * java -cp 'machina-cli/target/machina-cli.jar:machina-spark/target/machina-spark.jar:machina-spark/target/lib/*' \
 *     dev.machina.spark.ExchangeBench MASTER [WORKERS] [REPEATS] [SIZE…]
 * </pre>
 * (bench/spark_train.sh runs it on local[2] and on a 2-worker standalone cluster.)
 */
public final class ExchangeBench {
    private ExchangeBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ExchangeBench MASTER [WORKERS=2] [REPEATS=30] [FLOATS…=1000 10000 100000 235146 1000000 4000000]");
            System.exit(2);
        }
        String master = args[0];
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int[] sizes = args.length > 3 ? Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1000, 10_000, 100_000, 235_146, 1_000_000, 4_000_000};
        Map<String, String> conf = new java.util.LinkedHashMap<>(SparkTraining.defaults());
        conf.put("spark.app.name", "machina exchange bench");
        try (SparkTrials spark = SparkTrials.start(master, conf)) {
            JavaSparkContext sc = spark.context();
            List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
            List<double[]> out = new ArrayList<>(sc.parallelize(ranks, workers).rdd().barrier()
                    .mapPartitions(new Task(sizes, repeats), false, ClassTag$.MODULE$.apply(double[].class)).toJavaRDD().collect());
            double[] lead = out.stream().filter(r -> r[0] == 0).findFirst().orElseThrow();
            System.out.printf(Locale.ROOT, "gradient exchange (ring all-reduce, float32), %d workers on %s, %d repeats, worker 0's times%n", workers,
                    master, repeats);
            System.out.printf(Locale.ROOT, "%12s %10s %12s %12s %14s%n", "floats", "MB", "median ms", "p90 ms", "bus GB/s");
            for (int i = 0; i < sizes.length; i++) {
                double med = lead[1 + 2 * i], p90 = lead[2 + 2 * i];
                double bus = 2.0 * (workers - 1) / workers * 4.0 * sizes[i] / (med / 1e3) / 1e9;
                System.out.printf(Locale.ROOT, "%12d %10.2f %12.3f %12.3f %14.2f%n", sizes[i], 4.0 * sizes[i] / 1e6, med, p90, bus);
            }
        }
    }

    /** One worker: joins the ring, then times {@code repeats} sums of each size; returns {rank, median ms, p90 ms, …}. */
    static final class Task extends AbstractFunction1<Iterator<Integer>, Iterator<double[]>> implements Serializable {
        private final int[] sizes;
        private final int repeats;

        Task(int[] sizes, int repeats) {
            this.sizes = sizes;
            this.repeats = repeats;
        }

        @Override
        public Iterator<double[]> apply(Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            double[] res = new double[1 + 2 * sizes.length];
            res[0] = rank;
            try {
                String host = SparkEnv.get().blockManager().blockManagerId().host();
                ServerSocket server = RingAllReduce.listen(host);
                String[] all = ctx.allGather(RingAllReduce.address(server));
                try (RingAllReduce ring = RingAllReduce.connect(rank, List.of(all), server, 1, Duration.ofMinutes(2))) {
                    for (int i = 0; i < sizes.length; i++) {
                        float[] v = new float[sizes[i]];
                        for (int w = 0; w < 5; w++) ring.allReduce(v); // warm-up
                        double[] t = new double[repeats];
                        for (int r = 0; r < repeats; r++) {
                            Arrays.fill(v, 1f / (rank + 1));
                            long t0 = System.nanoTime();
                            ring.allReduce(v);
                            t[r] = (System.nanoTime() - t0) / 1e6;
                        }
                        Arrays.sort(t);
                        res[1 + 2 * i] = t[repeats / 2];
                        res[2 + 2 * i] = t[(int) Math.min(repeats - 1, Math.ceil(repeats * 0.9) - 1)];
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return CollectionConverters.asScala(List.of(res).iterator());
        }
    }
}
