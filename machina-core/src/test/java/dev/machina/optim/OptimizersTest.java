package dev.machina.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Optimizers three ways: hand derivations from the update rule on a constant gradient, PyTorch
 * 1.13 trajectories (src/test/resources/ref/make_refs.py → refs.txt: five steps on
 * loss = Σ a·(p − c)², p₀ = [0.5, −1.2, 2, 0.1], a = [1, 0.5, 2, 3], c = [0.3, 0.2, −0.1, 0.4]),
 * and convergence to the minimum c of that convex loss.
 */
class OptimizersTest {
    static final float[] A = {1, 0.5f, 2, 3}, C = {0.3f, 0.2f, -0.1f, 0.4f};

    static Tensor param() {
        return Tensor.vector(0.5f, -1.2f, 2.0f, 0.1f).requiresGrad(true);
    }

    static Tensor quadratic(Tensor p) {
        Tensor d = p.sub(Tensor.vector(C));
        return d.mul(d).mul(Tensor.vector(A)).sum();
    }

    /** Runs {@code steps} steps of the quadratic and returns the parameter after each, flattened. */
    static float[] trajectory(Function<List<Tensor>, Optimizer> make, int steps) {
        Tensor p = param();
        Optimizer opt = make.apply(List.of(p));
        float[] out = new float[steps * 4];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            quadratic(p).backward();
            opt.step();
            System.arraycopy(p.data(), 0, out, s * 4, 4);
        }
        return out;
    }

    // Float rounding: torch may fuse a multiply-add where we round twice, and its gradient
    // arithmetic may order operations differently; after 5 steps the trajectories differ by a few
    // ulps of values of size ~1 (ulp 1.2e-7), so 1e-6 absolute is tight yet robust.
    static void matches(float[] actual, float[] torch) {
        assertThat(actual).containsExactly(torch, within(1e-6f));
    }

    @Test
    void sgdMatchesTorch() {
        matches(trajectory(ps -> new SGD(ps, SGD.Config.lr(0.1)), 5), new float[] {0.460000008f, -1.06000006f, 1.15999997f, 0.280000001f, 0.428000003f, -0.934000075f, 0.655999959f, 0.351999998f, 0.402400017f, -0.820600092f, 0.353599966f, 0.380800009f, 0.38192001f, -0.718540072f, 0.172159985f, 0.392320007f, 0.365536004f, -0.626686037f, 0.0632959828f, 0.396928012f});
        matches(trajectory(ps -> new SGD(ps, SGD.Config.lr(0.05).withMomentum(0.9).withDampening(0.1).withWeightDecay(0.01)), 5), new float[] {0.479750007f, -1.12940001f, 1.579f, 0.189950004f, 0.44513163f, -1.00552881f, 0.897169411f, 0.327533036f, 0.400712937f, -0.839343429f, 0.103627726f, 0.470776439f, 0.35149163f, -0.642628431f, -0.647259414f, 0.580374002f, 0.302400023f, -0.427377462f, -1.22425985f, 0.630049646f});
        matches(trajectory(ps -> new SGD(ps, SGD.Config.lr(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01)), 5), new float[] {0.461524993f, -1.06586003f, 1.20009995f, 0.270905018f, 0.413994312f, -0.88740474f, 0.363911808f, 0.41709131f, 0.363909423f, -0.680091858f, -0.33073166f, 0.503786922f, 0.316790313f, -0.458588004f, -0.784250617f, 0.526978195f, 0.276807606f, -0.236143202f, -0.973337948f, 0.503221333f});
    }

    @Test
    void adamFamilyMatchesTorch() {
        matches(trajectory(ps -> new Adam(ps, Adam.Config.defaults().withLr(0.1)), 5), new float[] {0.400000006f, -1.10000002f, 1.89999998f, 0.199999988f, 0.306782037f, -1.00026155f, 1.80015683f, 0.297035217f, 0.23281908f, -0.900990129f, 1.70058656f, 0.386711031f, 0.191535458f, -0.802417696f, 1.60141432f, 0.462182671f, 0.182905003f, -0.704804599f, 1.50277448f, 0.516177773f});
        matches(trajectory(ps -> new Adam(ps, Adam.Config.defaults().withLr(0.05).withBetas(0.8, 0.99).withWeightDecay(0.1).withAmsgrad(true)), 5), new float[] {0.449999988f, -1.1500001f, 1.95000005f, 0.150000006f, 0.401125997f, -1.10010636f, 1.90006769f, 0.199292302f, 0.354625762f, -1.05039382f, 1.85024941f, 0.247196004f, 0.312225401f, -1.00093985f, 1.8005923f, 0.292838067f, 0.276078105f, -0.951823413f, 1.75114346f, 0.33515045f});
        matches(trajectory(ps -> new AdamW(ps, Adam.Config.adamWDefaults().withLr(0.1).withWeightDecay(0.1)), 5), new float[] {0.395000011f, -1.08800006f, 1.88f, 0.199000001f, 0.298590004f, -0.977423787f, 1.76139641f, 0.294101954f, 0.224540874f, -0.868495643f, 1.64432108f, 0.381166071f, 0.185974225f, -0.761467755f, 1.52891541f, 0.453897238f, 0.180463314f, -0.656621873f, 1.41533124f, 0.50566256f});
    }

    /** Zeroing with reused buffers trains exactly as zeroGrad: the same weights, bit for bit, after several steps. */
    @Test
    void zeroGradReusingBuffersTrainsAsZeroGrad() {
        float[][] finals = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            Tensor w = Tensor.vector(0.5f, -1.5f, 2f).requiresGrad(true);
            Tensor x = Tensor.vector(1f, 2f, -3f);
            Adam opt = new Adam(List.of(w), Adam.Config.defaults().withLr(0.1));
            for (int step = 0; step < 4; step++) {
                if (variant == 0) opt.zeroGrad();
                else opt.zeroGradReusingBuffers();
                assertThat(w.grad()).isNull();
                w.mul(x).mul(w).sum().backward();
                opt.step();
            }
            finals[variant] = w.toArray();
        }
        assertThat(finals[1]).containsExactly(finals[0]);
    }

    @Test
    void adamStepOnSeveralThreadsMatchesElementByElement() {
        // a parameter long enough for adamStep to split it over threads: the same bits as updating
        // each element on its own, for Adam, L2 decay with AMSGrad, and AdamW
        int n = 3 * Adam.CHUNK + 5;
        for (int variant = 0; variant < 3; variant++) {
            boolean decoupled = variant == 2, ams = variant == 1;
            double wd = variant == 0 ? 0 : 0.1;
            float[] p = new float[n], m = new float[n], v = new float[n], vmax = ams ? new float[n] : null;
            float[] p1 = new float[n], m1 = new float[n], v1 = new float[n], vmax1 = new float[n];
            for (int i = 0; i < n; i++) p[i] = p1[i] = (float) Math.sin(i * 0.37);
            for (long step = 1; step <= 3; step++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = (float) Math.cos(i * 0.11 + step);
                long t = step;
                dev.machina.kernel.Parallel.withThreads(2, () -> Adam.adamStep(p, g, m, v, vmax, t, 1e-2, 0.9, 0.999, 1e-8, wd, decoupled));
                for (int i = 0; i < n; i++) {
                    float[] pi = {p1[i]}, mi = {m1[i]}, vi = {v1[i]}, vmi = ams ? new float[] {vmax1[i]} : null;
                    Adam.adamStep(pi, new float[] {g[i]}, mi, vi, vmi, t, 1e-2, 0.9, 0.999, 1e-8, wd, decoupled);
                    p1[i] = pi[0];
                    m1[i] = mi[0];
                    v1[i] = vi[0];
                    if (ams) vmax1[i] = vmi[0];
                }
            }
            assertThat(p).containsExactly(p1);
            assertThat(m).containsExactly(m1);
            assertThat(v).containsExactly(v1);
        }
    }

    @Test
    void rmspropAndAdagradMatchTorch() {
        matches(trajectory(ps -> new RMSprop(ps, RMSprop.Config.defaults()), 5), new float[] {0.400000036f, -1.10000002f, 1.89999998f, 0.199999988f, 0.355098724f, -1.03177154f, 1.83085287f, 0.255663007f, 0.330968767f, -0.977288425f, 1.77513814f, 0.293100476f, 0.317462862f, -0.93091929f, 1.72736526f, 0.319944471f, 0.309831023f, -0.89005959f, 1.6849848f, 0.339748651f});
        matches(trajectory(ps -> new RMSprop(ps, RMSprop.Config.defaults().withAlpha(0.9).withMomentum(0.5).withCentered(true).withWeightDecay(0.1)), 5), new float[] {0.466666669f, -1.16666675f, 1.9666667f, 0.13333334f, 0.426658005f, -1.12480676f, 1.92470384f, 0.173978031f, 0.38899982f, -1.08199561f, 1.88162565f, 0.213473558f, 0.356852472f, -1.04045081f, 1.839625f, 0.249068156f, 0.331135154f, -1.00053263f, 1.79905415f, 0.280056834f});
        matches(trajectory(ps -> new Adagrad(ps, Adagrad.Config.defaults().withLr(0.1)), 5), new float[] {0.400000006f, -1.10000002f, 1.89999998f, 0.200000003f, 0.355278641f, -1.03195488f, 1.83103442f, 0.255470037f, 0.331279755f, -0.977761567f, 1.77561009f, 0.292677432f, 0.31782335f, -0.931759596f, 1.72820866f, 0.319308519f, 0.31017828f, -0.891328573f, 1.68626571f, 0.338941664f});
        matches(trajectory(ps -> new Adagrad(ps, Adagrad.Config.defaults().withLr(0.1).withLrDecay(0.05).withWeightDecay(0.1).withInitialAccumulatorValue(0.2)), 5), new float[] {0.429070055f, -1.10406613f, 1.90013492f, 0.197017908f, 0.38824144f, -1.04064083f, 1.83449972f, 0.248888925f, 0.361592799f, -0.992011547f, 1.78407979f, 0.282711208f, 0.343156934f, -0.952281475f, 1.74275386f, 0.306544393f, 0.329950899f, -0.918628514f, 1.70762861f, 0.324067771f});
    }

    /** Three steps on loss = k·p (constant gradient k) from p₀ = 1; returns p after each step. */
    static double[] constantGradient(Function<List<Tensor>, Optimizer> make, float k) {
        Tensor p = Tensor.vector(1f).requiresGrad(true);
        Optimizer opt = make.apply(List.of(p));
        double[] out = new double[3];
        for (int s = 0; s < 3; s++) {
            opt.zeroGrad();
            p.mul(k).sum().backward();
            opt.step();
            out[s] = p.data()[0];
        }
        return out;
    }

    @Test
    void updateRulesByHand() {
        // SGD momentum 0.9, lr 0.1, g = 1: b = 1, 1.9, 2.71 → p = 0.9, 0.71, 0.439.
        assertThat(constantGradient(ps -> new SGD(ps, SGD.Config.lr(0.1).withMomentum(0.9)), 1f)).containsExactly(new double[] {0.9, 0.71, 0.439}, within(1e-6));
        // Nesterov: d = g + μb with b as above: d = 1.9, 2.71, 3.439 → p = 0.81, 0.539, 0.1951.
        assertThat(constantGradient(ps -> new SGD(ps, SGD.Config.lr(0.1).withMomentum(0.9).withNesterov(true)), 1f)).containsExactly(new double[] {0.81, 0.539, 0.1951}, within(1e-6));
        // Dampening 0.5: b = 1, 0.9 + 0.5 = 1.4, 1.26 + 0.5 = 1.76 → p = 0.9, 0.76, 0.584.
        assertThat(constantGradient(ps -> new SGD(ps, SGD.Config.lr(0.1).withMomentum(0.9).withDampening(0.5)), 1f)).containsExactly(new double[] {0.9, 0.76, 0.584}, within(1e-6));
        // Adam, constant g = 2: m_t = (1−β₁ᵗ)g and v_t = (1−β₂ᵗ)g², so the bias-corrected step is
        // lr·g/(|g| + eps) = 0.1 each time → p = 0.9, 0.8, 0.7.
        assertThat(constantGradient(ps -> new Adam(ps, Adam.Config.defaults().withLr(0.1)), 2f)).containsExactly(new double[] {0.9, 0.8, 0.7}, within(1e-6));
        // AdamW lr 0.1, wd 0.5: p ← p·(1 − 0.05) − 0.1 → 0.85, 0.7075, 0.572125.
        assertThat(constantGradient(ps -> new AdamW(ps, Adam.Config.defaults().withLr(0.1).withWeightDecay(0.5)), 2f)).containsExactly(new double[] {0.85, 0.7075, 0.572125}, within(1e-6));
        // RMSprop α 0.9, lr 0.01, g = 1: s = 0.1, 0.19, 0.271 → p −= 0.01/√s.
        double r1 = 1 - 0.01 / Math.sqrt(0.1), r2 = r1 - 0.01 / Math.sqrt(0.19), r3 = r2 - 0.01 / Math.sqrt(0.271);
        assertThat(constantGradient(ps -> new RMSprop(ps, RMSprop.Config.defaults().withAlpha(0.9)), 1f)).containsExactly(new double[] {r1, r2, r3}, within(1e-6));
        // Adagrad lr 0.1, g = 1: s = t → p −= 0.1/√t.
        double a1 = 0.9, a2 = a1 - 0.1 / Math.sqrt(2), a3 = a2 - 0.1 / Math.sqrt(3);
        assertThat(constantGradient(ps -> new Adagrad(ps, Adagrad.Config.defaults().withLr(0.1)), 1f)).containsExactly(new double[] {a1, a2, a3}, within(1e-6));
    }

    @Test
    void allConvergeOnAConvexProblem() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> new SGD(ps, SGD.Config.lr(0.05)),
                ps -> new SGD(ps, SGD.Config.lr(0.02).withMomentum(0.9).withNesterov(true)),
                ps -> new Adam(ps, Adam.Config.defaults().withLr(0.05)),
                ps -> new Adam(ps, Adam.Config.defaults().withLr(0.05).withAmsgrad(true)),
                ps -> new AdamW(ps, Adam.Config.defaults().withLr(0.05).withWeightDecay(0)),
                ps -> new RMSprop(ps, RMSprop.Config.defaults().withLr(0.01).withMomentum(0.5).withCentered(true)),
                ps -> new Adagrad(ps, Adagrad.Config.defaults().withLr(0.5)));
        for (var make : makers) {
            float[] t = trajectory(make, 1500);
            for (int i = 0; i < 4; i++) assertThat(t[t.length - 4 + i]).as("optimizer %d coordinate %d", makers.indexOf(make), i).isCloseTo(C[i], within(2e-2f));
        }
    }

    @Test
    void constructorsValidateLikePyTorch() {
        List<Tensor> ps = List.of(param());
        assertThatThrownBy(() -> new SGD(ps, SGD.Config.lr(-1))).hasMessage("Invalid learning rate: -1.0");
        assertThatThrownBy(() -> SGD.Config.lr(0.1).withMomentum(-0.5)).hasMessage("Invalid momentum value: -0.5");
        assertThatThrownBy(() -> SGD.Config.lr(0.1).withNesterov(true)).hasMessage("Nesterov momentum requires a momentum and zero dampening");
        assertThatThrownBy(() -> Adam.Config.defaults().withBetas(1.0, 0.9)).hasMessage("Invalid beta parameter at index 0: 1.0");
        assertThatThrownBy(() -> Adam.Config.defaults().withBetas(0.9, -0.1)).hasMessage("Invalid beta parameter at index 1: -0.1");
        assertThatThrownBy(() -> Adam.Config.defaults().withEps(-1e-8)).hasMessage("Invalid epsilon value: -1.0E-8");
        assertThatThrownBy(() -> Adam.Config.defaults().withWeightDecay(-1)).hasMessage("Invalid weight_decay value: -1.0");
        assertThatThrownBy(() -> RMSprop.Config.defaults().withAlpha(-0.1)).hasMessage("Invalid alpha value: -0.1");
        assertThatThrownBy(() -> Adagrad.Config.defaults().withLrDecay(-1)).hasMessage("Invalid lr_decay value: -1.0");
        assertThatThrownBy(() -> new SGD(SGD.Config.lr(0.1), List.of(ParamGroup.of(ps).withLr(-2)))).hasMessage("Invalid learning rate: -2.0");
        assertThatThrownBy(() -> new SGD(ps, SGD.Config.lr(0.1)).lr(-3)).hasMessage("Invalid learning rate: -3.0");
        assertThatThrownBy(() -> new SGD(List.of(Tensor.zeros(2)), SGD.Config.lr(0.1))).hasMessageContaining("require grad");
        Tensor p = param();
        assertThatThrownBy(() -> new SGD(SGD.Config.lr(0.1), List.of(ParamGroup.of(List.of(p)), ParamGroup.of(List.of(p))))).hasMessageContaining("more than one parameter group");
    }

    @Test
    void paramGroupsHaveTheirOwnLrAndWeightDecay() {
        // weight: lr 0.1, wd 0.5 (default); bias: lr 0.2 and no decay. Gradient 1 everywhere, p₀ = 1.
        Tensor w = Tensor.vector(1f, 1f).requiresGrad(true), b = Tensor.vector(1f).requiresGrad(true);
        SGD opt = new SGD(SGD.Config.lr(0.1).withWeightDecay(0.5),
                List.of(ParamGroup.of(List.of(w)), ParamGroup.of(List.of(b)).withLr(0.2).withWeightDecay(0)));
        w.add(0f).sum().add(b.sum()).backward();
        opt.step();
        assertThat(w.data()[0]).isCloseTo(1f - 0.1f * (1f + 0.5f), within(1e-7f)); // 0.85
        assertThat(b.data()[0]).isCloseTo(1f - 0.2f, within(1e-7f));                // 0.8
        assertThat(opt.paramGroups().get(1).lr()).isEqualTo(0.2);
        opt.paramGroups().get(1).lr(0.05);
        assertThat(opt.paramGroups().get(1).lr()).isEqualTo(0.05);
        assertThat(opt.lr()).isEqualTo(0.1);
        opt.zeroGrad();
        assertThat(w.grad()).isNull();
        // A parameter without a gradient is skipped (and gets no state).
        opt.step();
        assertThat(opt.state(b).get("momentum_buffer")).isNull();
    }

    @Test
    void stateDictRoundTripResumesExactly() {
        for (Function<List<Tensor>, Optimizer> make : List.<Function<List<Tensor>, Optimizer>>of(
                ps -> new Adam(ps, Adam.Config.defaults().withLr(0.05).withAmsgrad(true)),
                ps -> new SGD(ps, SGD.Config.lr(0.05).withMomentum(0.9)),
                ps -> new RMSprop(ps, RMSprop.Config.defaults().withCentered(true).withMomentum(0.3)),
                ps -> new Adagrad(ps, Adagrad.Config.defaults()))) {
            Tensor p = param();
            Optimizer a = make.apply(List.of(p));
            for (int s = 0; s < 3; s++) {
                a.zeroGrad();
                quadratic(p).backward();
                a.step();
            }
            Map<String, Object> sd = a.stateDict();
            Tensor q = Tensor.vector(p.toArray()).requiresGrad(true);
            Optimizer b = make.apply(List.of(q));
            b.loadStateDict(sd);
            // The snapshot is a deep copy: later steps of a do not change it.
            List<Object> before = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<Integer, Map<String, Object>> st = (Map<Integer, Map<String, Object>>) sd.get("state");
            for (Object v : st.get(0).values()) before.add(v instanceof float[] f ? f.clone() : v);
            for (int s = 0; s < 2; s++) {
                for (var pair : List.of(List.of(p, a), List.of(q, b))) {
                    Optimizer o = (Optimizer) pair.get(1);
                    o.zeroGrad();
                    quadratic((Tensor) pair.get(0)).backward();
                    o.step();
                }
            }
            assertThat(q.data()).as("%s resumed", a.getClass().getSimpleName()).containsExactly(p.data());
            int i = 0;
            for (Object v : st.get(0).values()) {
                Object w = before.get(i++);
                if (v instanceof float[] f) assertThat(f).containsExactly((float[]) w);
                else assertThat(v).isEqualTo(w);
            }
        }
        Optimizer adam = new Adam(List.of(param()), Adam.Config.defaults());
        Map<String, Object> sgdState = new SGD(List.of(param(), param()), SGD.Config.lr(0.1)).stateDict();
        assertThatThrownBy(() -> adam.loadStateDict(sgdState)).hasMessageContaining("doesn't match the size");
    }

    @Test
    void clippingByNormAndValue() {
        // torch.nn.utils.clip_grad_norm_ on grads [3, −4] and [12], max 6.5: total 13, factor 6.5/(13+1e-6).
        Tensor p1 = Tensor.zeros(2).requiresGrad(true), p2 = Tensor.zeros(1).requiresGrad(true);
        p1.setGrad(Tensor.vector(3f, -4f));
        p2.setGrad(Tensor.vector(12f));
        double total = GradClip.clipGradNorm(List.of(p1, p2), 6.5);
        assertThat(total).isCloseTo(13.0, within(1e-9));
        assertThat(p1.grad().data()).containsExactly(new float[] {1.49999988f, -1.99999988f}, within(1e-7f));
        assertThat(p2.grad().data()).containsExactly(new float[] {5.99999952f}, within(1e-7f));
        // Below the limit nothing changes (factor clamped at 1).
        assertThat(GradClip.clipGradNorm(List.of(p1, p2), 100)).isCloseTo(6.5, within(1e-5));
        assertThat(p2.grad().data()[0]).isEqualTo(5.99999952f);
        // Max norm.
        assertThat(GradClip.clipGradNorm(List.of(p1, p2), 3, Double.POSITIVE_INFINITY)).isCloseTo(6.0, within(1e-5));
        assertThat(p2.grad().data()[0]).isCloseTo(3f, within(1e-5f));
        p1.setGrad(Tensor.vector(0.5f, -7f));
        GradClip.clipGradValue(List.of(p1, p2), 1);
        assertThat(p1.grad().data()).containsExactly(0.5f, -1f);
    }
}
