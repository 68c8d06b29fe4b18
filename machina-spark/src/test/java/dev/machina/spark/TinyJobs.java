package dev.machina.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The functions of the cluster test's plain jobs. They live apart from the test class so that an
 * executor deserializing them loads only Spark and JDK classes (the test class also refers to
 * Machina's, which reach executors only once a sweep ships them).
 */
final class TinyJobs {
    private TinyJobs() {}

    static final Function<Integer, Integer> SQUARE = x -> x * x;
    static final Function2<Integer, Integer, Integer> SUM = Integer::sum;

    /** Each barrier task gathers every task's process id. */
    static final class Gather extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>> implements Serializable {
        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> in) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            String[] all = ctx.allGather(String.valueOf(ProcessHandle.current().pid()));
            return CollectionConverters.asScala(List.of(String.join(",", List.of(all))).iterator());
        }
    }
}
