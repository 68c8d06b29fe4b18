package dev.machina.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.machina.nn.Linear;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegularizationTest {
    @Test
    void l2PenaltyCoversWeightsOnly() {
        Linear a = new Linear(3, 2, true, new Rng(1)), b = new Linear(2, 1, true, new Rng(2));
        Sequential m = new Sequential(a, new ReLU(), b);
        double expected = 0;
        for (Tensor w : List.of(a.weight(), b.weight())) for (float v : w.data()) expected += v * v;
        Tensor pen = Regularization.l2Penalty(m.namedParameters(), 0.3);
        assertThat(pen.item()).isCloseTo((float) (0.3 * expected), within(1e-6f));
        pen.backward();
        // d(λΣw²)/dw = 2λw; biases are not included.
        for (int i = 0; i < 6; i++) assertThat(a.weight().grad().data()[i]).isCloseTo(0.6f * a.weight().data()[i], within(1e-7f));
        assertThat(a.bias().grad()).isNull();
        assertThat(b.bias().grad()).isNull();
    }

    @Test
    void l2PenaltyEqualsSgdWeightDecayOfTwiceLambda() {
        Linear x = new Linear(3, 2, false, new Rng(3)), y = new Linear(3, 2, false, new Rng(3));
        Tensor in = Tensor.randn(new Rng(4), 5, 3);
        SGD withPenalty = new SGD(x.parameters(), SGD.Config.lr(0.1));
        SGD withDecay = new SGD(y.parameters(), SGD.Config.lr(0.1).withWeightDecay(0.2));
        x.forward(in).sum().add(Regularization.l2Penalty(x.namedParameters(), 0.1)).backward();
        y.forward(in).sum().backward();
        withPenalty.step();
        withDecay.step();
        assertThat(x.weight().data()).containsExactly(y.weight().data(), within(1e-6f));
    }
}
