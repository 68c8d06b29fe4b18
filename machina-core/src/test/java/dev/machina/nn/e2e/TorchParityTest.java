package dev.machina.nn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.Sequential;
import dev.machina.nn.Tanh;
import dev.machina.optim.Adam;
import dev.machina.optim.Optimizer;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole training step chain (Linear, Tanh, Linear, cross-entropy with label smoothing,
 * backward, Adam) against PyTorch 1.13 from identical weights: the "== mlp" section of
 * src/test/resources/ref/refs.txt, made by make_refs.py. Weights w[i] = 0.3·sin(1.7i + k) for the
 * k-th parameter in state-dict order, inputs x[i] = cos(0.9i) as [6, 4].
 */
class TorchParityTest {
    @Test
    void threeAdamStepsMatchPyTorch() {
        Module m = new Sequential(new Linear(4, 5, true, new Rng(0)), new Tanh(), new Linear(5, 3, true, new Rng(0)));
        int k = 0;
        for (Tensor p : m.parameters()) {
            float[] d = p.data();
            for (int i = 0; i < d.length; i++) d[i] = (float) (0.3 * Math.sin(1.7 * i + k));
            k++;
        }
        float[] xs = new float[24];
        for (int i = 0; i < 24; i++) xs[i] = (float) Math.cos(0.9 * i);
        Tensor x = Tensor.of(xs, 6, 4);
        int[] y = {0, 2, 1, 1, 0, 2};
        Optimizer opt = new Adam(m.parameters(), Adam.Config.defaults().withLr(0.05));
        CrossEntropyLoss ce = new CrossEntropyLoss().withLabelSmoothing(0.1);
        float[] losses = new float[3];
        for (int s = 0; s < 3; s++) {
            opt.zeroGrad();
            Tensor l = ce.forward(m.forward(x), y);
            losses[s] = l.item();
            l.backward();
            opt.step();
        }
        // Adam divides by √v, which amplifies the gradients' last-bit differences a little; 2e-6
        // on values below 0.5 is still ~30 ulps, far below any rule error (≥ 1e-3 here).
        assertThat(losses).containsExactly(new float[] {1.14783883f, 1.07799184f, 1.02507699f}, within(2e-6f));
        Map<String, Tensor> sd = m.stateDict();
        assertThat(sd.get("0.weight").data()).containsExactly(new float[] {-0.026115492f, 0.149774551f, -0.225886896f, -0.427968293f, 0.0040102452f, 0.385804236f, -0.0645471141f, -0.0405415483f, 0.398459196f, 0.225336969f, -0.238140255f, -0.19468081f, 0.446502298f, -0.182803929f, -0.441475302f, -0.0413413532f, 0.179472536f, -0.321402341f, -0.366947353f, 0.243970901f}, within(2e-6f));
        assertThat(sd.get("0.bias").data()).containsExactly(new float[] {0.109626055f, -0.0063860938f, -0.140049487f, 0.00391799305f, 0.154460996f}, within(2e-6f));
        assertThat(sd.get("2.weight").data()).containsExactly(new float[] {0.298606753f, -0.0332817063f, -0.08535669f, 0.368885607f, 0.325553477f, -0.124214232f, 0.0325312316f, 0.154983059f, 0.0477989763f, -0.159353033f, -0.103999808f, 0.154268533f, -0.267724514f, -0.407778293f, 0.0377126895f}, within(2e-6f));
        assertThat(sd.get("2.bias").data()).containsExactly(new float[] {-0.106024764f, -0.154729769f, -0.104564294f}, within(2e-6f));
    }
}
