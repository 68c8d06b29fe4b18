package dev.machina.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a backward rule against central finite differences.
 *
 * <p>The function's output is reduced to a scalar L = Σ wᵢ·outᵢ with fixed random weights w
 * (so every output element's gradient is exercised, not just their sum). For each input element
 * x, the numerical derivative is (L(x+h) − L(x−h)) / 2h, with L accumulated in double from the
 * float outputs; it is compared with the analytical gradient from {@link Tensor#backward()}.
 *
 * <p>Tolerance: the forward pass runs in float32, so each L carries a rounding error of about
 * ε·Σ|wᵢ·outᵢ| with ε ≈ 6e-8 per op; dividing by 2h (h = 1e-2 by default) amplifies it to
 * roughly 1e-5·|L| — far below the default atol 1e-3. The truncation error of central
 * differences is h²/6·|f'''| ≈ 2e-5 for smooth ops of unit scale. rtol 1e-2 absorbs both for
 * large gradients. Kinks (relu at 0, abs at 0, clamp bounds, max ties) must be kept further
 * than h from the inputs by the caller.
 */
public final class GradCheck {
    private GradCheck() {}

    /** One mismatch: which input, which element, the two values. */
    public record Mismatch(int input, int index, double analytic, double numeric) {
        @Override
        public String toString() {
            return "input " + input + " element " + index + ": analytic " + analytic + ", numeric " + numeric;
        }
    }

    public static List<Mismatch> check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        return check(f, inputs, 1e-2, 1e-3, 1e-2);
    }

    /**
     * Returns the elements whose analytical and numerical gradients differ by more than
     * atol + rtol·|numeric| (empty when the rule is right). Inputs that require grad are checked.
     */
    public static List<Mismatch> check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, double h, double atol, double rtol) {
        for (Tensor t : inputs) t.setGrad(null);
        Tensor out0 = f.apply(inputs);
        Rng rng = new Rng(12345);
        float[] w = new float[out0.size()];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextDouble() * 2 - 1);
        Tensor wt = Tensor.of(w, out0.shape());
        out0.backward(wt);
        List<Mismatch> bad = new ArrayList<>();
        for (int ti = 0; ti < inputs.size(); ti++) {
            Tensor x = inputs.get(ti);
            if (!x.requiresGrad()) continue;
            float[] analytic = x.grad() == null ? new float[x.size()] : x.grad().toArray();
            float[] d = x.data();
            for (int i = 0; i < d.length; i++) {
                float orig = d[i];
                d[i] = (float) (orig + h);
                double plus = weighted(f, inputs, w);
                d[i] = (float) (orig - h);
                double minus = weighted(f, inputs, w);
                d[i] = orig;
                double num = (plus - minus) / (2 * h);
                if (Math.abs(num - analytic[i]) > atol + rtol * Math.abs(num) || Double.isNaN(analytic[i])) {
                    bad.add(new Mismatch(ti, i, analytic[i], num));
                }
            }
        }
        for (Tensor t : inputs) t.setGrad(null);
        return bad;
    }

    private static double weighted(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, float[] w) {
        try (var s = Tensor.noGrad()) {
            float[] o = f.apply(inputs).data();
            double acc = 0;
            for (int i = 0; i < o.length; i++) acc += (double) w[i] * o[i];
            return acc;
        }
    }
}
