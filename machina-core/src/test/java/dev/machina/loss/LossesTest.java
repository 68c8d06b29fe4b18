package dev.machina.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.nn.testing.NnGradCheck;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Losses against hand-computed values, PyTorch 1.13 reference numbers (made by
 * src/test/resources/ref/make_refs.py, printed in refs.txt there) and gradchecks.
 */
class LossesTest {
    static final float[] X = {0.2f, -1.3f, 0.5f, 2.0f, 1.5f, 0.3f, -0.7f, 0.1f, -0.4f, 0.9f, 1.1f, -2.2f};
    static final int[] Y = {0, 3, 1};
    static final float[] W = {0.3f, 1.0f, 2.0f, 0.5f};
    static final float[] XB = {0.5f, -2.0f, 3.0f, -0.3f, 0.0f, 1.7f};
    static final float[] TB = {1, 0, 1, 0, 1, 0.3f};
    static final float TOL = 2e-6f;

    static Tensor logits() {
        return Tensor.of(X.clone(), 3, 4).requiresGrad(true);
    }

    /** Runs the loss, back-propagates (the given upstream gradient for NONE), returns {value…, grad…}. */
    static void expect(Tensor x, Tensor loss, float[] value, float[] grad, float[] upstream) {
        assertThat(loss.data()).containsExactly(value, within(TOL));
        if (upstream == null) loss.backward();
        else loss.backward(Tensor.vector(upstream));
        assertThat(x.grad().data()).containsExactly(grad, within(TOL));
    }

    @Test
    void crossEntropyByHand() {
        // One sample, logits [0, ln 3]: p = [1/4, 3/4]; target 0 → −ln(1/4) = ln 4; grad = p − onehot = [−3/4, 3/4].
        Tensor x = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2).requiresGrad(true);
        Tensor l = new CrossEntropyLoss().forward(x, new int[] {0});
        assertThat(l.item()).isCloseTo((float) Math.log(4), within(1e-6f));
        l.backward();
        assertThat(x.grad().data()).containsExactly(new float[] {-0.75f, 0.75f}, within(1e-6f));
        // Label smoothing ε = 0.5 over C = 2: target distribution [3/4, 1/4]; loss = −(3/4 ln 1/4 + 1/4 ln 3/4); grad = p − q = [−1/2, 1/2].
        x.setGrad(null);
        Tensor ls = new CrossEntropyLoss().withLabelSmoothing(0.5).forward(x, new int[] {0});
        assertThat(ls.item()).isCloseTo((float) -(0.75 * Math.log(0.25) + 0.25 * Math.log(0.75)), within(1e-6f));
        ls.backward();
        assertThat(x.grad().data()).containsExactly(new float[] {-0.5f, 0.5f}, within(1e-6f));
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor x = Tensor.of(new float[] {1e4f, 0f, -1e4f}, 1, 3).requiresGrad(true);
        Tensor l = new CrossEntropyLoss().forward(x, new int[] {1});
        assertThat(l.item()).isCloseTo(1e4f, within(1e-2f));
        l.backward();
        assertThat(x.grad().data()).containsExactly(new float[] {1f, -1f, 0f}, within(1e-6f));
    }

    @Test
    void crossEntropyMatchesTorch() {
        Tensor x = logits();
        expect(x, new CrossEntropyLoss().forward(x, Y), new float[] {1.66404164f},
                new float[] {-0.29467541f, 0.00862575229f, 0.0521827564f, 0.23386687f, 0.200973392f, 0.0605320185f, 0.0222684853f, -0.283773899f, 0.0357796475f, -0.202047214f, 0.160353243f, 0.00591433421f}, null);
        x = logits();
        expect(x, new CrossEntropyLoss().withReduction(Reduction.SUM).forward(x, Y), new float[] {4.99212503f},
                new float[] {-0.88402617f, 0.0258772559f, 0.156548262f, 0.701600611f, 0.602920175f, 0.181596056f, 0.0668054521f, -0.851321697f, 0.107338935f, -0.606141627f, 0.48105973f, 0.0177430026f}, null);
        x = logits();
        expect(x, new CrossEntropyLoss().withReduction(Reduction.NONE).forward(x, Y), new float[] {2.15439081f, 1.90597034f, 0.931763887f},
                new float[] {-0.618818343f, 0.0181140788f, 0.10958378f, 0.491120428f, -0.66321218f, -0.199755669f, -0.0734860003f, 0.936453879f, 0.0429355763f, -0.24245666f, 0.192423895f, 0.00709720096f},
                new float[] {0.7f, -1.1f, 0.4f});
        x = logits();
        expect(x, new CrossEntropyLoss().withWeight(W).forward(x, Y), new float[] {1.40614808f},
                new float[] {-0.14733772f, 0.00431287661f, 0.02609138f, 0.11693345f, 0.167477831f, 0.0504433513f, 0.0185570717f, -0.236478254f, 0.0596327446f, -0.336745352f, 0.267255425f, 0.0098572243f}, null);
        x = logits();
        expect(x, new CrossEntropyLoss().withLabelSmoothing(0.1).forward(x, Y), new float[] {1.68737495f},
                new float[] {-0.269675374f, 0.000292416924f, 0.0438494124f, 0.2255335f, 0.192640051f, 0.052198682f, 0.0139351487f, -0.258773863f, 0.0274463054f, -0.177047208f, 0.152019888f, -0.00241900049f}, null);
        x = logits();
        expect(x, new CrossEntropyLoss().withWeight(W).withLabelSmoothing(0.2).forward(x, Y), new float[] {1.72186518f},
                new float[] {-0.113961838f, -0.0215959903f, -0.0181579143f, 0.153715715f, 0.189290509f, 0.0317453779f, -0.0336582139f, -0.187377691f, 0.050703086f, -0.255600125f, 0.20902732f, -0.00413023727f}, null);
        int[] ignored = {0, -100, 1};
        x = logits();
        expect(x, new CrossEntropyLoss().withWeight(W).withLabelSmoothing(0.2).forward(x, ignored), new float[] {1.48141098f},
                new float[] {-0.157793283f, -0.0299021397f, -0.0251417253f, 0.21283716f, 0f, 0f, 0f, 0f, 0.0702042729f, -0.353907883f, 0.289422423f, -0.00571879046f}, null);
        x = logits();
        expect(x, new CrossEntropyLoss().withWeight(W).withLabelSmoothing(0.2).withReduction(Reduction.NONE).forward(x, ignored),
                new float[] {0.926388025f, 0f, 0.999446273f},
                new float[] {-0.143591896f, -0.0272109453f, -0.0228789691f, 0.193681806f, 0f, 0f, 0f, 0f, 0.0365062207f, -0.184032112f, 0.150499657f, -0.00297377119f},
                new float[] {0.7f, -1.1f, 0.4f});
        x = logits();
        expect(x, new CrossEntropyLoss().withWeight(W).withIgnoreIndex(2).withReduction(Reduction.SUM).forward(x, new int[] {2, 3, 1}),
                new float[] {1.88474905f},
                new float[] {0f, 0f, 0f, 0f, 0.301460087f, 0.0907980278f, 0.0334027261f, -0.425660849f, 0.107338935f, -0.606141627f, 0.48105973f, 0.0177430026f}, null);
    }

    @Test
    void crossEntropyGradcheck() {
        Rng rng = new Rng(3);
        Tensor x = Tensor.randn(rng, 5, 4).requiresGrad(true);
        int[] y = {0, 3, -100, 2, 1};
        for (Reduction r : Reduction.values()) {
            CrossEntropyLoss ce = new CrossEntropyLoss().withWeight(W).withLabelSmoothing(0.15).withReduction(r);
            NnGradCheck.check("CE " + r, () -> ce.forward(x, y), List.of(x), rng, 100);
        }
    }

    @Test
    void crossEntropyErrors() {
        assertThatThrownBy(() -> new CrossEntropyLoss().forward(logits(), new int[] {0, 4, 1}))
                .hasMessage("CrossEntropyLoss: target 4 at position 1 is out of bounds for 4 classes");
        assertThatThrownBy(() -> new CrossEntropyLoss().forward(logits(), new int[] {0, 1}))
                .hasMessageContaining("2 targets for a batch of 3");
        assertThatThrownBy(() -> new CrossEntropyLoss().withLabelSmoothing(1.5)).hasMessageContaining("label_smoothing");
        // Every target ignored: the weighted mean is 0/0, NaN as in PyTorch.
        assertThat(new CrossEntropyLoss().forward(logits(), new int[] {-100, -100, -100}).item()).isNaN();
    }

    @Test
    void nllMatchesTorchAndCrossEntropy() {
        Tensor lp;
        try (var s = Tensor.noGrad()) {
            lp = Tensor.of(X.clone(), 3, 4).logSoftmax(1);
        }
        Tensor x = lp.copy().requiresGrad(true);
        expect(x, new NLLLoss(W, -100, Reduction.MEAN).forward(x, Y), new float[] {1.40614808f},
                new float[] {-0.166666687f, 0f, 0f, 0f, 0f, 0f, 0f, -0.277777791f, 0f, -0.555555582f, 0f, 0f}, null);
        Rng rng = new Rng(4);
        Tensor z = Tensor.randn(rng, 4, 3).requiresGrad(true);
        NnGradCheck.check("NLL", () -> new NLLLoss(new float[] {1, 2, 0.5f}, 1, Reduction.MEAN).forward(z.logSoftmax(1), new int[] {0, 1, 2, 2}), List.of(z), rng, 100);
    }

    @Test
    void bceWithLogitsMatchesTorch() {
        Tensor x = Tensor.of(XB.clone(), 2, 3).requiresGrad(true);
        Tensor t = Tensor.of(TB.clone(), 2, 3);
        expect(x, new BCEWithLogitsLoss().forward(x, t), new float[] {0.542480171f},
                new float[] {-0.0629234388f, 0.0198671538f, -0.00790431071f, 0.070926249f, -0.0833333358f, 0.0909224674f}, null);
        x = Tensor.of(XB.clone(), 2, 3).requiresGrad(true);
        expect(x, new BCEWithLogitsLoss(null, new float[] {2, 0.5f, 1}, Reduction.MEAN).forward(x, t), new float[] {0.563730717f},
                new float[] {-0.125846878f, 0.0198671538f, -0.00790431071f, 0.070926249f, -0.0416666679f, 0.0909224525f}, null);
        x = Tensor.of(XB.clone(), 2, 3).requiresGrad(true);
        expect(x, new BCEWithLogitsLoss(new float[] {1, 0.2f, 3}, new float[] {2, 0.5f, 1}, Reduction.SUM).forward(x, t), new float[] {5.81632996f},
                new float[] {-0.755081296f, 0.0238405839f, -0.142277598f, 0.425557494f, -0.0500000007f, 1.63660419f}, null);
        // Stable at extreme logits: no overflow to inf.
        Tensor e = new BCEWithLogitsLoss(null, null, Reduction.NONE).forward(Tensor.vector(100f, -100f), Tensor.vector(0f, 1f));
        assertThat(e.data()).containsExactly(new float[] {100f, 100f}, within(1e-4f));
        Rng rng = new Rng(5);
        Tensor z = Tensor.randn(rng, 3, 3).requiresGrad(true);
        NnGradCheck.check("BCEWithLogits", () -> new BCEWithLogitsLoss(new float[] {1, 0.2f, 3}, new float[] {2, 0.5f, 1}, Reduction.MEAN).forward(z, t.reshape(6).narrow(0, 0, 3).reshape(1, 3).add(Tensor.zeros(3, 3))), List.of(z), rng, 100);
    }

    @Test
    void bceMatchesTorchAndClampsLogs() {
        Tensor x;
        try (var s = Tensor.noGrad()) {
            x = Tensor.of(XB.clone(), 2, 3).sigmoid().requiresGrad(true);
        }
        expect(x, new BCELoss().forward(x, Tensor.of(TB.clone(), 2, 3)), new float[] {0.542480171f},
                new float[] {-0.267755091f, 0.189222559f, -0.174964502f, 0.290136367f, -0.333333343f, 0.696160018f}, null);
        // log(0) is clamped at −100, as PyTorch: x=0,t=1 → 100; x=1,t=1 → 0; x=0.3,t=0 → −ln 0.7.
        Tensor l = new BCELoss(null, Reduction.NONE).forward(Tensor.vector(0f, 1f, 0.3f), Tensor.vector(1f, 1f, 0f));
        assertThat(l.data()).containsExactly(new float[] {100f, 0f, 0.356674969f}, within(1e-6f));
        assertThatThrownBy(() -> new BCELoss().forward(Tensor.vector(1.5f), Tensor.vector(1f))).hasMessageContaining("between 0 and 1");
        Rng rng = new Rng(6);
        Tensor z = Tensor.uniform(rng, 0.2f, 0.8f, 2, 3).requiresGrad(true);
        NnGradCheck.check("BCE", () -> new BCELoss(new float[] {1, 2, 0.5f}, Reduction.SUM).forward(z, Tensor.of(TB.clone(), 2, 3)), List.of(z), rng, 100);
    }

    @Test
    void mseAndL1ByHand() {
        // d = x − t = [1, −2, 0.5, 0]; MSE mean = (1 + 4 + 0.25 + 0)/4 = 1.3125, grad 2d/4; L1 mean = 3.5/4, grad sign(d)/4.
        Tensor x = Tensor.vector(2f, -1f, 0.5f, 3f).requiresGrad(true);
        Tensor t = Tensor.vector(1f, 1f, 0f, 3f);
        Tensor mse = new MSELoss().forward(x, t);
        assertThat(mse.item()).isEqualTo(1.3125f);
        mse.backward();
        assertThat(x.grad().data()).containsExactly(0.5f, -1f, 0.25f, 0f);
        x.setGrad(null);
        Tensor l1 = new L1Loss().forward(x, t);
        assertThat(l1.item()).isEqualTo(0.875f);
        l1.backward();
        assertThat(x.grad().data()).containsExactly(0.25f, -0.25f, 0.25f, 0f);
        assertThat(new MSELoss(Reduction.SUM).forward(x, t).item()).isEqualTo(5.25f);
        assertThat(new L1Loss(Reduction.NONE).forward(x, t).data()).containsExactly(1f, 2f, 0.5f, 0f);
        assertThatThrownBy(() -> new MSELoss().forward(x, Tensor.zeros(3))).hasMessageContaining("target shape [3] differs from input shape [4]");
        Rng rng = new Rng(7);
        Tensor a = Tensor.randn(rng, 3, 2).requiresGrad(true), b = Tensor.randn(rng, 3, 2).requiresGrad(true);
        NnGradCheck.check("MSE", () -> new MSELoss().forward(a, b), List.of(a, b), rng, 100);
        NnGradCheck.check("L1", () -> new L1Loss(Reduction.SUM).forward(a, b), List.of(a, b), rng, 100);
    }
}
