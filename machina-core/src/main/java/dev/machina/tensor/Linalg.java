package dev.machina.tensor;

import dev.machina.kernel.Kernels;

/** Matrix products on the GEMM kernel, with their backward rules. */
public final class Linalg {
    private Linalg() {}

    /**
     * Matrix product: [m,k]·[k,n] → [m,n]; batched [B,m,k]·[B,k,n] → [B,m,n]; and
     * [B,m,k]·[k,n] → [B,m,n] (the right matrix shared by the batch).
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        int ra = a.rank(), rb = b.rank();
        if (ra == 2 && rb == 2) return mm(a, b);
        if (ra == 3 && rb == 2) {
            int bsz = a.shape[0], m = a.shape[1];
            Tensor flat = a.reshape(bsz * m, a.shape[2]);
            if (a.shape[2] != b.shape[0]) throw innerMismatch(a, b, a.shape[2], b.shape[0]);
            return mm(flat, b).reshape(bsz, m, b.shape[1]);
        }
        if (ra == 3 && rb == 3) return bmm(a, b);
        throw new IllegalArgumentException("matmul: cannot multiply " + Shape.str(a.shape) + " by " + Shape.str(b.shape)
                + ": supported are 2-D·2-D, 3-D·3-D (batched) and 3-D·2-D");
    }

    private static IllegalArgumentException innerMismatch(Tensor a, Tensor b, int ka, int kb) {
        return new IllegalArgumentException("matmul: cannot multiply " + Shape.str(a.shape) + " by " + Shape.str(b.shape)
                + ": inner dimensions " + ka + " and " + kb + " differ");
    }

    private static Tensor mm(Tensor a, Tensor b) {
        int m = a.shape[0], k = a.shape[1], n = b.shape[1];
        if (k != b.shape[0]) throw innerMismatch(a, b, k, b.shape[0]);
        Kernels K = Tensor.k();
        float[] c = new float[m * n];
        K.gemm(false, false, m, n, k, a.data, 0, k, b.data, 0, n, c, 0, n, false);
        Tensor out = new Tensor(c, new int[] {m, n});
        out.record("matmul", new Tensor[] {a, b}, g -> {
            // dA = G·Bᵀ, dB = Aᵀ·G
            if (a.requiresGrad()) Tensor.k().gemm(false, true, m, k, n, g, 0, n, b.data, 0, n, a.gradBuffer(), 0, k, true);
            if (b.requiresGrad()) Tensor.k().gemm(true, false, k, n, m, a.data, 0, k, g, 0, n, b.gradBuffer(), 0, n, true);
        });
        return out;
    }

    private static Tensor bmm(Tensor a, Tensor b) {
        int bs = a.shape[0], m = a.shape[1], k = a.shape[2], n = b.shape[2];
        if (b.shape[0] != bs) {
            throw new IllegalArgumentException("matmul: cannot multiply " + Shape.str(a.shape) + " by " + Shape.str(b.shape)
                    + ": batch sizes " + bs + " and " + b.shape[0] + " differ");
        }
        if (k != b.shape[1]) throw innerMismatch(a, b, k, b.shape[1]);
        Kernels K = Tensor.k();
        float[] c = new float[bs * m * n];
        for (int i = 0; i < bs; i++) K.gemm(false, false, m, n, k, a.data, i * m * k, k, b.data, i * k * n, n, c, i * m * n, n, false);
        Tensor out = new Tensor(c, new int[] {bs, m, n});
        out.record("bmm", new Tensor[] {a, b}, g -> {
            Kernels kk = Tensor.k();
            for (int i = 0; i < bs; i++) {
                if (a.requiresGrad()) kk.gemm(false, true, m, k, n, g, i * m * n, n, b.data, i * k * n, n, a.gradBuffer(), i * m * k, k, true);
                if (b.requiresGrad()) kk.gemm(true, false, k, n, m, a.data, i * m * k, k, g, i * m * n, n, b.gradBuffer(), i * k * n, n, true);
            }
        });
        return out;
    }

    /**
     * The fused affine map of a fully connected layer: y = x·Wᵀ + b, with x [*, in] (rank 1–3),
     * W [out, in] (PyTorch's layout) and b [out] or null. One GEMM forward, two backward.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        int in = w.shape[1], outF = w.shape[0];
        if (x.rank() < 1 || x.shape[x.rank() - 1] != in) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape) + " does not match weight "
                    + Shape.str(w.shape) + ": expected last dimension " + in);
        }
        if (b != null && (b.rank() != 1 || b.shape[0] != outF)) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(b.shape) + " does not match weight " + Shape.str(w.shape));
        }
        int rows = x.size / in;
        int[] os = x.shape.clone();
        os[os.length - 1] = outF;
        float[] y = new float[rows * outF];
        if (b != null) for (int r = 0; r < rows; r++) System.arraycopy(b.data, 0, y, r * outF, outF);
        Tensor.k().gemm(false, true, rows, outF, in, x.data, 0, in, w.data, 0, in, y, 0, outF, b != null);
        Tensor out = new Tensor(y, os);
        out.record("linear", new Tensor[] {x, w, b}, g -> {
            Kernels k = Tensor.k();
            // each product writes a first gradient over an unzeroed array, or adds into the one there is
            if (x.requiresGrad()) {
                float[] dx = rows > 0 ? x.gradToOverwrite() : null;
                k.gemm(false, false, rows, in, outF, g, 0, outF, w.data, 0, in, dx != null ? dx : x.gradBuffer(), 0, in, dx == null);
            }
            if (w.requiresGrad()) {
                float[] dw = rows > 0 ? w.gradToOverwrite() : null;
                k.gemm(true, false, outF, in, rows, g, 0, outF, x.data, 0, in, dw != null ? dw : w.gradBuffer(), 0, in, dw == null);
            }
            if (b != null && b.requiresGrad()) {
                float[] db = rows > 0 ? b.gradToOverwrite() : null;
                k.sumRows(g, 0, rows, outF, db != null ? db : b.gradBuffer(), 0, db == null);
            }
        });
        return out;
    }

    /**
     * relu(x·Wᵀ + b) when {@code relu}, else x·Wᵀ + b, with no graph: the values of
     * {@link #linear} (then {@code relu()}), the bias and the activation applied to each part of
     * the product as it is computed. x: (…, in), w: (out, in), b: (out) or null; the result,
     * (…, out), is always a new array. Only without gradients.
     */
    public static Tensor linearNoGrad(Tensor x, Tensor w, Tensor b, boolean relu) {
        if (Tensor.isGradEnabled()) throw new IllegalStateException("linearNoGrad: gradients are enabled; use linear inside Tensor.noGrad()");
        if (w.rank() != 2) throw new IllegalArgumentException("linearNoGrad: weight " + Shape.str(w.shape) + " must have 2 dimensions (out, in)");
        int in = w.shape[1], outF = w.shape[0];
        if (x.rank() < 1 || x.shape[x.rank() - 1] != in) {
            throw new IllegalArgumentException("linearNoGrad: input " + Shape.str(x.shape) + " does not match weight "
                    + Shape.str(w.shape) + ": expected last dimension " + in);
        }
        if (b != null && (b.rank() != 1 || b.shape[0] != outF)) {
            throw new IllegalArgumentException("linearNoGrad: bias " + Shape.str(b.shape) + " does not match weight "
                    + Shape.str(w.shape) + ": expected shape [" + outF + "]");
        }
        int rows = 1;
        for (int d = 0; d < x.rank() - 1; d++) rows *= x.shape[d];
        int[] os = x.shape.clone();
        os[os.length - 1] = outF;
        float[] y = new float[rows * outF];
        Tensor.k().linear(rows, outF, in, x.data, 0, w.data, 0, b == null ? null : b.data, 0, relu, y, 0);
        return new Tensor(y, os);
    }
}
