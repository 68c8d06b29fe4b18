package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingAllReduceTest {
    /** Joins {@code size} workers on threads of this JVM. */
    static List<RingAllReduce> ring(int size, long token) throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            ServerSocket s = RingAllReduce.listen("127.0.0.1");
            servers.add(s);
            addresses.add(RingAllReduce.address(s));
        }
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<RingAllReduce>> fs = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                fs.add(pool.submit(() -> RingAllReduce.connect(rank, addresses, servers.get(rank), token, Duration.ofSeconds(20))));
            }
            List<RingAllReduce> out = new ArrayList<>();
            for (Future<RingAllReduce> f : fs) out.add(f.get(30, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdown();
        }
    }

    static float[][] reduce(List<RingAllReduce> ring, float[][] inputs) throws Exception {
        float[][] v = new float[inputs.length][];
        for (int r = 0; r < v.length; r++) v[r] = inputs[r].clone();
        ExecutorService pool = Executors.newFixedThreadPool(ring.size());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < ring.size(); r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    ring.get(rank).allReduce(v[rank]);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
            return v;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void everyWorkerGetsTheRingOrderSumBitForBit() throws Exception {
        Random rnd = new Random(1);
        for (int size : new int[] {1, 2, 3, 5}) {
            List<RingAllReduce> ring = ring(size, 77);
            try {
                for (int n : new int[] {0, 1, 2, 7, 1000, 65_537}) {
                    float[][] in = new float[size][n];
                    for (float[] a : in) for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * (1 << rnd.nextInt(20));
                    float[][] out = reduce(ring, in);
                    for (int i = 0; i < n; i++) {
                        int chunk = 0;
                        while ((long) n * (chunk + 1) / size <= i) chunk++;
                        float expected = in[chunk][i]; // chunk c is summed in ring order from worker c
                        for (int k = 1; k < size; k++) expected = expected + in[(chunk + k) % size][i];
                        for (int r = 0; r < size; r++) {
                            assertThat(Float.floatToRawIntBits(out[r][i])).as("size %d n %d i %d worker %d", size, n, i, r)
                                    .isEqualTo(Float.floatToRawIntBits(expected));
                        }
                    }
                }
            } finally {
                for (RingAllReduce r : ring) r.close();
            }
        }
    }

    @Test
    void aDeadPeerFailsTheExchangeInsteadOfHanging() throws Exception {
        List<RingAllReduce> ring = ring(3, 5);
        ring.get(2).close();
        float[] v = new float[100_000];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> {
                ring.get(0).allReduce(v.clone());
                return null;
            });
            Future<?> b = pool.submit(() -> {
                ring.get(1).allReduce(v.clone());
                return null;
            });
            for (Future<?> f : List.of(a, b)) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
            }
        } finally {
            pool.shutdownNow();
            for (RingAllReduce r : ring) r.close();
        }
    }

    @Test
    void aWorkerOfAnotherGroupCannotJoin() throws Exception {
        ServerSocket s0 = RingAllReduce.listen("127.0.0.1"), s1 = RingAllReduce.listen("127.0.0.1");
        List<String> addresses = List.of(RingAllReduce.address(s0), RingAllReduce.address(s1));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> RingAllReduce.connect(0, addresses, s0, 1, Duration.ofSeconds(2)));
            Future<?> b = pool.submit(() -> RingAllReduce.connect(1, addresses, s1, 2, Duration.ofSeconds(2)));
            assertThatThrownBy(() -> a.get(20, TimeUnit.SECONDS)).hasMessageContaining("did not connect");
            assertThatThrownBy(() -> b.get(20, TimeUnit.SECONDS)).hasMessageContaining("did not connect");
        } finally {
            pool.shutdownNow();
        }
    }
}
