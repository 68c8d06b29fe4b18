package dev.machina.nn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.nn.Tanh;
import dev.machina.optim.Adam;
import dev.machina.optim.GradClip;
import dev.machina.optim.Optimizer;
import dev.machina.optim.lr.CosineAnnealingLR;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small MLPs trained end to end in plain Java, from a fixed seed. */
class MlpEndToEndTest {

    record Data(Tensor x, int[] y) {}

    static Data xor() {
        return new Data(Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), new int[] {0, 1, 1, 0});
    }

    /** Two interleaving half circles (as sklearn's make_moons) with Gaussian noise, n points. */
    static Data moons(int n, double noise, Rng rng) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            double t = Math.PI * rng.nextDouble();
            double px = c == 0 ? Math.cos(t) : 1 - Math.cos(t);
            double py = c == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
            x[2 * i] = (float) (px + noise * rng.nextGaussian());
            x[2 * i + 1] = (float) (py + noise * rng.nextGaussian());
            y[i] = c;
        }
        return new Data(Tensor.of(x, n, 2), y);
    }

    static double accuracy(Module m, Data d) {
        m.eval();
        int[] pred;
        try (var s = Tensor.noGrad()) {
            pred = m.forward(d.x()).argmax(1);
        }
        m.train();
        int ok = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == d.y()[i]) ok++;
        return (double) ok / pred.length;
    }

    /** Full-batch training; returns the model. Everything random comes from {@code seed}. */
    static Module train(Data d, long seed, int hidden, boolean tanh, int steps, double lr) {
        Rng rng = new Rng(seed);
        Module model = new Sequential(
                new Linear(2, hidden, true, rng), tanh ? new Tanh() : new ReLU(), new Dropout(0.05),
                new Linear(hidden, 2, true, rng));
        model.setRng(rng); // dropout masks from the same seeded stream
        Optimizer opt = new Adam(model.parameters(), Adam.Config.defaults().withLr(lr));
        CosineAnnealingLR sched = new CosineAnnealingLR(opt, steps, lr / 20);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            ce.forward(model.forward(d.x()), d.y()).backward();
            GradClip.clipGradNorm(model.parameters(), 5.0);
            opt.step();
            sched.step();
        }
        return model;
    }

    static List<float[]> weights(Module m) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : m.parameters()) out.add(t.toArray());
        return out;
    }

    @Test
    void learnsXor() {
        Module m = train(xor(), 42, 8, true, 400, 0.05);
        assertThat(accuracy(m, xor())).isEqualTo(1.0);
    }

    @Test
    void learnsTwoMoons() {
        Data d = moons(300, 0.1, new Rng(7));
        Module m = train(d, 1, 32, false, 800, 0.02);
        assertThat(accuracy(m, d)).isGreaterThanOrEqualTo(0.97);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Data d = moons(200, 0.15, new Rng(8));
        List<float[]> a = weights(train(d, 5, 16, false, 100, 0.02));
        List<float[]> b = weights(train(d, 5, 16, false, 100, 0.02));
        List<float[]> c = weights(train(d, 6, 16, false, 100, 0.02));
        for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).containsExactly(a.get(i));
        assertThat(c.get(0)).isNotEqualTo(a.get(0));
    }
}
