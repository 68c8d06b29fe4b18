package dev.machina.nn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * A small finite-difference gradient checker for the nn/loss tests (the engine's own gradcheck
 * is written separately). The function's output is reduced to a scalar L = Σ out·R with a fixed
 * random projection R; the analytic gradient of L (backward with R as the output gradient) is
 * compared with the central difference (L(x+ε) − L(x−ε)) / 2ε for each checked element.
 *
 * <p>Tolerance: the forward runs in float32, so L carries a rounding error of roughly
 * k·6e-8·Σ|terms| for k accumulated terms; dividing by 2ε = 2e-2 turns that into ~1e-5 of the
 * output's scale, and the truncation error of central differences is O(ε²·f''') ≈ 1e-4 for the
 * smooth functions tested. |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric| is therefore an order
 * of magnitude above the noise, while a wrong rule (a missing term, a wrong scale or sign) is
 * off by O(1) relative.
 */
public final class NnGradCheck {
    private NnGradCheck() {}

    public static final double EPS = 1e-2, ATOL = 1e-3, RTOL = 1e-2;

    /** Checks every input of {@code wrt} (up to {@code maxPerTensor} elements each, chosen at random). */
    public static void check(String what, Supplier<Tensor> f, List<Tensor> wrt, Rng rng, int maxPerTensor) {
        Tensor probe;
        try (var s = Tensor.noGrad()) {
            probe = f.get();
        }
        Tensor r = Tensor.randn(rng, probe.shape());
        for (Tensor t : wrt) t.setGrad(null);
        Tensor out = f.get();
        assertThat(out.requiresGrad()).as("%s: output is not connected to the inputs", what).isTrue();
        out.backward(r);
        for (int ti = 0; ti < wrt.size(); ti++) {
            Tensor t = wrt.get(ti);
            assertThat(t.grad()).as("%s: input %d got no gradient", what, ti).isNotNull();
            float[] analytic = t.grad().toArray();
            float[] x = t.data();
            int n = x.length;
            int count = Math.min(n, maxPerTensor);
            for (int c = 0; c < count; c++) {
                int i = count == n ? c : rng.nextInt(n);
                float orig = x[i];
                x[i] = (float) (orig + EPS);
                double lp = project(f, r);
                x[i] = (float) (orig - EPS);
                double lm = project(f, r);
                x[i] = orig;
                double numeric = (lp - lm) / (2 * EPS);
                assertThat(Math.abs(analytic[i] - numeric))
                        .as("%s: d/d input%d[%d]: analytic %s vs numeric %s", what, ti, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(numeric));
            }
            t.setGrad(null);
        }
    }

    private static double project(Supplier<Tensor> f, Tensor r) {
        try (var s = Tensor.noGrad()) {
            float[] o = f.get().data();
            double acc = 0;
            for (int i = 0; i < o.length; i++) acc += (double) o[i] * r.data()[i];
            return acc;
        }
    }
}
