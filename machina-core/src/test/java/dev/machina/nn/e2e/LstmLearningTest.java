package dev.machina.nn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.kernel.Parallel;
import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.LSTM;
import dev.machina.nn.Linear;
import dev.machina.nn.RnnConfig;
import dev.machina.optim.Adam;
import dev.machina.optim.Optimizer;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An LSTM classifier (last valid output → Linear) learns whether the sum of a random ±1
 * sequence of odd, variable length (5, 7 or 9; padded with zeros to 9) is positive.
 */
class LstmLearningTest {
    static final int T = 9, HIDDEN = 16;

    record Data(Tensor x, int[] lengths, int[] y) {}

    static Data data(int n, Rng rng) {
        float[] x = new float[n * T];
        int[] len = new int[n], y = new int[n];
        for (int i = 0; i < n; i++) {
            len[i] = 5 + 2 * rng.nextInt(3);
            int sum = 0;
            for (int t = 0; t < len[i]; t++) {
                int v = rng.nextInt(2) == 0 ? -1 : 1;
                x[i * T + t] = v;
                sum += v;
            }
            y[i] = sum > 0 ? 1 : 0;
        }
        return new Data(Tensor.of(x, n, T, 1), len, y);
    }

    record Model(LSTM lstm, Linear head) {
        Tensor logits(Tensor x, int[] lengths) {
            return head.forward(lstm.lastOutput(lstm.run(x, null, null, lengths).output(), lengths));
        }

        List<Tensor> parameters() {
            List<Tensor> p = new ArrayList<>(lstm.parameters());
            p.addAll(head.parameters());
            return p;
        }
    }

    static Model train(long seed) {
        return train(seed, HIDDEN, 250);
    }

    static Model train(long seed, int hidden, int steps) {
        Rng rng = new Rng(seed);
        Model m = new Model(new LSTM(RnnConfig.of(1, hidden), rng), new Linear(hidden, 2, true, rng));
        Optimizer opt = new Adam(m.parameters(), Adam.Config.defaults().withLr(0.02));
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Rng dataRng = new Rng(seed + 100);
        for (int step = 0; step < steps; step++) {
            Data d = data(64, dataRng);
            opt.zeroGrad();
            ce.forward(m.logits(d.x(), d.lengths()), d.y()).backward();
            opt.step();
        }
        return m;
    }

    static double accuracy(Model m, Data d) {
        int[] pred;
        try (var s = Tensor.noGrad()) {
            pred = m.logits(d.x(), d.lengths()).argmax(1);
        }
        int ok = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == d.y()[i]) ok++;
        return (double) ok / pred.length;
    }

    @Test
    void learnsTheSignOfASumDeterministically() {
        Data test = data(1000, new Rng(999));
        Model a = train(1);
        assertThat(accuracy(a, test)).isGreaterThanOrEqualTo(0.97);
        Model b = train(1);
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) assertThat(pb.get(i).data()).as("parameter %d", i).containsExactly(pa.get(i).data());
    }

    /** Big enough (48 units, batch 64: two chunks of sequences) that the LSTM's time loops run on several threads. */
    @Test
    void sameSeedSameWeightsOnOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Model one = train(5, 48, 12);
            Parallel.setThreads(2);
            Model two = train(5, 48, 12);
            List<Tensor> p1 = one.parameters(), p2 = two.parameters();
            for (int i = 0; i < p1.size(); i++) assertThat(p2.get(i).data()).as("parameter %d", i).containsExactly(p1.get(i).data());
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
