package dev.machina.bench.ab;

import dev.machina.experiment.UserError;
import dev.machina.kernel.Kernels;

/**
 * A GEMM shape of the A/B harnesses, written M,N,K[,TRANSA[,TRANSB]] (TRANSA/TRANSB 0 or 1, default 0):
 * op(A) is M×K and op(B) K×N, both stored row-major without padding.
 */
record Shape(int m, int n, int k, boolean transA, boolean transB) {
    static Shape parse(String text) {
        String[] p = text.split(",", -1);
        try {
            if (p.length < 3 || p.length > 5) throw new NumberFormatException();
            int m = Integer.parseInt(p[0].strip()), n = Integer.parseInt(p[1].strip()), k = Integer.parseInt(p[2].strip());
            if (m < 1 || n < 1 || k < 1) throw new NumberFormatException();
            for (int i = 3; i < p.length; i++) if (!p[i].strip().matches("[01]")) throw new NumberFormatException();
            return new Shape(m, n, k, p.length > 3 && p[3].strip().equals("1"), p.length > 4 && p[4].strip().equals("1"));
        } catch (NumberFormatException e) {
            throw new UserError("a shape must be M,N,K or M,N,K,TRANSA,TRANSB with positive sizes and TRANSA/TRANSB 0 or 1, "
                    + "e.g. 1024,1024,1024 or 64,256,784,0,1; got '" + text + "'");
        }
    }

    double flops() {
        return 2.0 * m * n * k;
    }

    int lda() {
        return transA ? m : k;
    }

    int ldb() {
        return transB ? k : n;
    }

    /** C = op(A)·op(B). */
    void gemm(Kernels kernels, float[] a, float[] b, float[] c) {
        kernels.gemm(transA, transB, m, n, k, a, 0, lda(), b, 0, ldb(), c, 0, n, false);
    }

    /** {@code first} followed by {@code rest}: a harness's main runs as the subcommand of that name. */
    static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
