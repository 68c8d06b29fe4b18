package dev.machina.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API. Loaded only when {@link KernelProvider} chooses it, so a JVM
 * without {@code jdk.incubator.vector} never touches these classes. Every loop has one shape:
 * {@code SPECIES.loopBound(n)}, vector body, scalar tail. Every op is implemented here; the one
 * without a vector form ({@link #log}) calls {@link ScalarKernels} explicitly.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int L = S.length();
    private static final ScalarKernels SCALAR = new ScalarKernels();
    /**
     * {@link #bytesToFloats}: L bytes widen to L ints (S's shape), each half of them to L/2 doubles
     * (S's shape) and back to L/2 floats (half of S's shape); null below 256 bits (no 32-bit shape).
     */
    private static final VectorSpecies<Byte> U8 = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    private static final VectorSpecies<Integer> I32 = S.withLanes(int.class);
    private static final VectorSpecies<Double> F64 = S.withLanes(double.class);
    private static final VectorSpecies<Float> HALF = L >= 8 ? VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2)) : null;

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int vectorBits() {
        return S.vectorBitSize();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        VectorGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /** Over 4 rows, the bias and the ReLU are applied to each parallel task's part of y as soon as it is computed, while it is in cache. */
    @Override
    public void linear(int m, int n, int k, float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, boolean relu,
                       float[] y, int yOff) {
        if (m <= GemmSmallM.SMALL_M) { // a few rows: bias and ReLU over y cost next to nothing on the calling thread
            Kernels.super.linear(m, n, k, x, xOff, w, wOff, bias, bOff, relu, y, yOff);
            return;
        }
        Epilogue ep = bias == null && !relu ? null : new Epilogue(this, bias, bOff, relu, yOff, n);
        VectorGemm.gemm(false, true, m, n, k, x, xOff, k, w, wOff, k, y, yOff, n, false, ep);
    }

    @Override
    public void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    @Override
    public void sub(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
    }

    @Override
    public void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
    }

    @Override
    public void div(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i];
    }

    @Override
    public void scaleShift(float[] a, int ao, float s, float t, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        FloatVector vs = FloatVector.broadcast(S, s), vt = FloatVector.broadcast(S, t);
        for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).mul(vs).add(vt).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] * s + t;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0, ub = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; i < ub; i += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yo + i);
            acc = FloatVector.fromArray(S, x, xo + i).mul(va).add(acc);
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    @Override
    public void addProduct(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yo + i);
            acc = FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).add(acc);
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a[ao + i] * b[bo + i];
    }

    @Override
    public void relu(float[] a, int ao, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, ao + i);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, oo + i); // NaN compares false: it stays
        }
        for (; i < n; i++) {
            float v = a[ao + i];
            out[oo + i] = v <= 0f ? 0f : v;
        }
    }

    @Override
    public void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < ub; i += L) {
            VectorMask<Float> pos = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, zero);
            FloatVector o = FloatVector.fromArray(S, out, oo + i);
            o.add(FloatVector.fromArray(S, g, go + i), pos).intoArray(out, oo + i);
        }
        for (; i < n; i++) if (x[xo + i] > 0f) out[oo + i] += g[go + i];
    }

    /** Exponential by {@link FloatMath#exp}'s polynomial: bit-identical across JIT tiers (the Vector API's EXP is not). */
    @Override
    public void exp(float[] a, int ao, float[] out, int oo, int n) {
        nonlinear(EXP, a, ao, out, oo, n);
    }

    /** The scalar loop: the Vector API's LOG is not bit-identical across JIT tiers (as its EXP is not), and {@link FloatMath} has no log. */
    @Override
    public void log(float[] a, int ao, float[] out, int oo, int n) {
        SCALAR.log(a, ao, out, oo, n);
    }

    /** tanh by {@link FloatMath}: bit-identical across JIT tiers (the Vector API's TANH is not). */
    @Override
    public void tanh(float[] a, int ao, float[] out, int oo, int n) {
        tanhPoly(a, ao, out, oo, n);
    }

    /** sigmoid by {@link FloatMath}: bit-identical across JIT tiers. */
    @Override
    public void sigmoid(float[] a, int ao, float[] out, int oo, int n) {
        sigmoidPoly(a, ao, out, oo, n);
    }

    @Override
    public void sigmoidPoly(float[] a, int ao, float[] out, int oo, int n) {
        nonlinear(SIGMOID, a, ao, out, oo, n);
    }

    @Override
    public void tanhPoly(float[] a, int ao, float[] out, int oo, int n) {
        nonlinear(TANH, a, ao, out, oo, n);
    }

    /** What {@link #nonlinear} computes. */
    static final int EXP = 0, SIGMOID = 1, TANH = 2;

    /**
     * out[oo + i] = f(a[ao + i]) for i &lt; n, f {@link FloatMath}'s exp, sigmoid or tanh by the same
     * float operations lane by lane (no fused multiply-add). The exponential is written out here,
     * as in {@link #expPoly}, not called: this method calls nothing but the Vector API, so a caller
     * that inlines it near C2's inlining node budget cannot leave a call with vector arguments out
     * of line (such a call boxes its vectors on the heap every time). {@code out} may be {@code a}.
     */
    static void nonlinear(int kind, float[] a, int ao, float[] out, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, ao + i);
            FloatVector x = kind == SIGMOID ? v.neg() : kind == TANH ? v.abs().mul(2f) : v;
            x = x.blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI)).blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
            FloatVector y = x.mul(FloatMath.LOG2E).add(FloatMath.ROUND);
            FloatVector m = y.sub(FloatMath.ROUND);
            FloatVector r = x.sub(m.mul(FloatMath.C1)).add(m.mul(FloatMath.C2));
            FloatVector z = r.mul(r);
            FloatVector p = r.mul(FloatMath.P0).add(FloatMath.P1).mul(r).add(FloatMath.P2).mul(r).add(FloatMath.P3).mul(r)
                    .add(FloatMath.P4).mul(r).add(FloatMath.P5).mul(z).add(r).add(1f);
            FloatVector e = p.mul(((IntVector) y.reinterpretAsInts()).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector f;
            if (kind == SIGMOID) {
                f = ONE.div(ONE.add(e));
            } else if (kind == TANH) { // 1 − 2/(e^2|v| + 1), with v's sign
                f = ONE.sub(TWO.div(e.add(ONE))).reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
            } else {
                f = e;
            }
            f.intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            float v = a[ao + i];
            out[oo + i] = kind == SIGMOID ? FloatMath.sigmoid(v) : kind == TANH ? FloatMath.tanh(v) : FloatMath.exp(v);
        }
    }

    /**
     * {@link FloatMath#exp} lane by lane: the same float operations in the same order (as
     * {@link #nonlinear}, which array passes use; this is for the sums of exponentials).
     */
    private static FloatVector expPoly(FloatVector x) {
        // the clamp as compares and blends: the same values as min/max (NaN stays NaN), and about
        // 20% faster than C2's float min/max sequences
        x = x.blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI)).blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO));
        // n = round(x·log2 e) by adding FloatMath.ROUND: no float-int conversions (40% faster than a floor by them)
        FloatVector y = x.mul(FloatMath.LOG2E).add(FloatMath.ROUND);
        FloatVector n = y.sub(FloatMath.ROUND);
        FloatVector r = x.sub(n.mul(FloatMath.C1)).add(n.mul(FloatMath.C2));
        FloatVector z = r.mul(r);
        FloatVector p = r.mul(FloatMath.P0).add(FloatMath.P1).mul(r).add(FloatMath.P2).mul(r).add(FloatMath.P3).mul(r)
                .add(FloatMath.P4).mul(r).add(FloatMath.P5).mul(z).add(r).add(1f);
        IntVector bits = ((IntVector) y.reinterpretAsInts()).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /**
     * Sum of the lanes in a fixed order. {@code reduceLanes(ADD)} is not used for floats: its
     * order is unspecified and differs between the interpreter and C2, which would make
     * results depend on JIT timing.
     */
    private static float addLanes(FloatVector v) {
        float[] t = LANES.get();
        v.intoArray(t, 0);
        float s = 0f;
        for (int i = 0; i < L; i++) s += t[i];
        return s;
    }

    private static final FloatVector EXP_HI = FloatVector.broadcast(S, FloatMath.HI), EXP_LO = FloatVector.broadcast(S, FloatMath.LO);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f), TWO = FloatVector.broadcast(S, 2f);

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    @Override
    public float sum(float[] a, int ao, int n) {
        // Blocks of SUM_BLOCK summed in vector lanes, the block sums added in double, in order:
        // the error no longer grows with n (a long float sum loses about n·u), and the order is fixed.
        double total = 0;
        for (int b = 0; b < n; b += ScalarKernels.SUM_BLOCK) {
            int m = Math.min(ScalarKernels.SUM_BLOCK, n - b), i = 0, ub = S.loopBound(m);
            FloatVector acc = FloatVector.zero(S);
            for (; i < ub; i += L) acc = acc.add(FloatVector.fromArray(S, a, ao + b + i));
            float s = addLanes(acc);
            for (; i < m; i++) s += a[ao + b + i];
            total += s;
        }
        return (float) total;
    }

    @Override
    public float max(float[] a, int ao, int n) {
        int i = 0, ub = S.loopBound(n);
        float m;
        if (ub > 0) {
            FloatVector acc = FloatVector.fromArray(S, a, ao);
            for (i = L; i < ub; i += L) acc = acc.max(FloatVector.fromArray(S, a, ao + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        } else {
            m = a[ao];
            i = 1;
        }
        for (; i < n; i++) m = Math.max(m, a[ao + i]);
        return m;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0, ub = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < ub; i += L) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        float s = addLanes(acc);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    @Override
    public void softmaxRows(float[] x, int xo, float[] out, int oo, int rows, int cols, boolean log) {
        int ub = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int xi = xo + r * cols, oi = oo + r * cols;
            float m = max(x, xi, cols);
            if (m == Float.NEGATIVE_INFINITY) m = 0f;
            FloatVector vm = FloatVector.broadcast(S, m);
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            if (log) {
                for (; j < ub; j += L) acc = acc.add(expPoly(FloatVector.fromArray(S, x, xi + j).sub(vm)));
            } else {
                for (; j < ub; j += L) {
                    FloatVector e = expPoly(FloatVector.fromArray(S, x, xi + j).sub(vm));
                    e.intoArray(out, oi + j);
                    acc = acc.add(e);
                }
            }
            float s = addLanes(acc);
            for (; j < cols; j++) {
                float e = FloatMath.exp(x[xi + j] - m);
                if (!log) out[oi + j] = e;
                s += e;
            }
            if (log) scaleShift(x, xi, 1f, -(m + (float) Math.log(s)), out, oi, cols);
            else scaleShift(out, oi, 1f / s, 0f, out, oi, cols);
        }
    }

    @Override
    public void sumRows(float[] x, int xo, int rows, int cols, float[] out, int oo, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, oo, oo + cols, 0f);
        for (int r = 0; r < rows; r++) add(out, oo, x, xo + r * cols, out, oo, cols);
    }

    @Override
    public void bytesToFloats(byte[] src, int so, double scale, float[] out, int oo, int n) {
        int i = 0;
        if (U8 != null) {
            int h = L / 2;
            for (int ub = U8.loopBound(n); i < ub; i += L) {
                IntVector v = (IntVector) ByteVector.fromArray(U8, src, so + i).convertShape(VectorOperators.ZERO_EXTEND_B2I, I32, 0);
                for (int part = 0; part < 2; part++) {
                    DoubleVector d = (DoubleVector) v.convertShape(VectorOperators.I2D, F64, part);
                    ((FloatVector) d.mul(scale).convertShape(VectorOperators.D2F, HALF, 0)).intoArray(out, oo + i + part * h);
                }
            }
        }
        for (; i < n; i++) out[oo + i] = (float) ((src[so + i] & 0xFF) * scale);
    }

    /** Lane numbers 0 .. L-1, the counters of a vector of {@link #dropoutMask}. */
    private static final IntVector IOTA = IntVector.zero(I32).addIndex(1);

    @Override
    public void dropoutMask(long key, int keepFrom, float scale, float[] mask, int mo, int n) {
        int lo = (int) key, hi = (int) (key >>> 32), i = 0;
        FloatVector kept = FloatVector.broadcast(S, scale), dropped = FloatVector.zero(S);
        for (int ub = S.loopBound(n); i < ub; i += L) {
            IntVector x = lowbias32(IOTA.add(lo + i)).lanewise(VectorOperators.XOR, hi);
            VectorMask<Integer> keep = lowbias32(x).lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, keepFrom);
            dropped.blend(kept, keep.cast(S)).intoArray(mask, mo + i);
        }
        for (; i < n; i++) mask[mo + i] = Kernels.dropoutBits(key, i) >>> 8 >= keepFrom ? scale : 0f;
    }

    /** {@link Kernels#lowbias32} lane by lane. */
    private static IntVector lowbias32(IntVector x) {
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).mul(0x7feb352d);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15)).mul(0x846ca68b);
        return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
    }
}
