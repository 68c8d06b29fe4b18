package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A model with named children, as a user would write it. */
    static final class Net extends Module {
        final Linear fc1, fc2;
        final Sequential head;

        Net(Rng rng) {
            fc1 = registerModule("fc1", new Linear(4, 8, true, rng));
            head = registerModule("head", new Sequential(new ReLU(), new Dropout(0.5), new Linear(8, 8, true, rng)));
            fc2 = registerModule("fc2", new Linear(8, 2, false, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(head.forward(fc1.forward(x)));
        }
    }

    @Test
    void summaryListsEachLayersOutputShapeAndParameters() {
        dev.machina.tensor.Rng rng = new dev.machina.tensor.Rng(1);
        Sequential m = new Sequential(new Flatten(), new LazyLinear(32, true, rng), new ReLU(), new Dropout(0.2f), new Linear(32, 10, true, rng));
        m.forward(dev.machina.tensor.Tensor.zeros(1, 8, 8));
        java.util.List<Summary.Row> rows = Summary.rows(m, new int[] {8, 8});
        org.assertj.core.api.Assertions.assertThat(rows).extracting(Summary.Row::type).containsExactly("Flatten", "Linear", "ReLU", "Dropout", "Linear");
        org.assertj.core.api.Assertions.assertThat(rows.get(0).outputShape()).containsExactly(64);
        org.assertj.core.api.Assertions.assertThat(rows.get(1).parameters()).isEqualTo(64 * 32 + 32);
        org.assertj.core.api.Assertions.assertThat(rows.get(4).outputShape()).containsExactly(10);
        org.assertj.core.api.Assertions.assertThat(m.isTraining()).as("mode restored").isTrue();
        String t = Summary.table(m, new int[] {8, 8});
        org.assertj.core.api.Assertions.assertThat(t).contains("(batch, 64)").contains("2,080").contains("total parameters 2,410 (trainable 2,410)");
    }

    @Test
    void namesFollowPyTorch() {
        Net net = new Net(new Rng(0));
        assertThat(net.namedParameters().keySet()).containsExactly("fc1.weight", "fc1.bias", "head.2.weight", "head.2.bias", "fc2.weight");
        assertThat(net.stateDict().keySet()).containsExactlyElementsOf(net.namedParameters().keySet());
        assertThat(net.parameterCount()).isEqualTo(4 * 8 + 8 + 8 * 8 + 8 + 8 * 2);
        assertThat(net.head.get(2).path()).isEqualTo("head.2");
        assertThat(net.namedModules().keySet()).containsExactly("", "fc1", "head", "head.0", "head.1", "head.2", "fc2");
    }

    @Test
    void wrongInputNamesTheLayerAndItsPlace() {
        Sequential model = new Sequential(new Linear(784, 256, true, new Rng(0)), new ReLU(), new Linear(256, 10, true, new Rng(0)));
        assertThatThrownBy(() -> model.forward(Tensor.zeros(64, 100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Linear(in=784, out=256) at '0': expected input [*, 784], got [64, 100]");
        assertThatThrownBy(() -> new Linear(3, 2, true, new Rng(0)).forward(Tensor.zeros(2, 4)))
                .hasMessage("Linear(in=3, out=2): expected input [*, 3], got [2, 4]");
        Net net = new Net(new Rng(0));
        assertThatThrownBy(() -> net.head.forward(Tensor.zeros(1, 7))).hasMessageStartingWith("Linear(in=8, out=8) at 'head.2': ");
    }

    @Test
    void reprLikePyTorch() {
        Sequential model = new Sequential(new Linear(784, 256, true, new Rng(0)), new ReLU(), new Dropout(0.2),
                new Linear(256, 10, false, new Rng(0)), new LogSoftmax(1));
        assertThat(model.repr()).isEqualTo("""
                Sequential(
                  (0): Linear(in_features=784, out_features=256, bias=True)
                  (1): ReLU()
                  (2): Dropout(p=0.2, inplace=False)
                  (3): Linear(in_features=256, out_features=10, bias=False)
                  (4): LogSoftmax(dim=1)
                )""");
        assertThat(model.toString()).isEqualTo(model.repr() + "\nTotal parameters: 203,520");
        Net net = new Net(new Rng(0));
        assertThat(net.repr()).contains("\n  (head): Sequential(\n    (0): ReLU()\n    (1): Dropout(p=0.5, inplace=False)\n");
    }

    @Test
    void loadStateDictReportsMissingUnexpectedAndShapeMismatch() {
        Net net = new Net(new Rng(0));
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        sd.remove("fc1.bias");
        sd.put("fc3.weight", Tensor.zeros(1));
        sd.put("fc2.weight", Tensor.zeros(3, 8));
        float before = net.fc2.weight().data()[0];
        assertThatThrownBy(() -> net.loadStateDict(sd))
                .hasMessageContaining("missing key(s) in state_dict: \"fc1.bias\"")
                .hasMessageContaining("unexpected key(s) in state_dict: \"fc3.weight\"")
                .hasMessageContaining("size mismatch for fc2.weight: copying a param with shape [3, 8], the shape in current model is [2, 8]");
        assertThat(net.fc2.weight().data()[0]).as("nothing loaded on failure").isEqualTo(before);
        // Non-strict still checks shapes but tolerates missing/unexpected keys.
        sd.put("fc2.weight", Tensor.full(0.5f, 2, 8));
        net.loadStateDict(sd, false);
        assertThat(net.fc2.weight().data()[0]).isEqualTo(0.5f);
    }

    @Test
    void loadedValuesGoIntoTheSameTensors() {
        Net a = new Net(new Rng(1)), b = new Net(new Rng(2));
        Tensor w = b.fc1.weight();
        b.loadStateDict(a.stateDict());
        assertThat(b.fc1.weight()).isSameAs(w);
        assertThat(w.toArray()).isEqualTo(a.fc1.weight().toArray());
    }

    @Test
    void trainEvalReachEverySubModule() {
        Net net = new Net(new Rng(0));
        net.eval();
        assertThat(net.namedModules().values()).allMatch(m -> !m.isTraining());
        net.train();
        assertThat(net.namedModules().values()).allMatch(Module::isTraining);
        // A child added to a module in eval mode takes the parent's mode.
        Sequential s = new Sequential();
        s.eval();
        Dropout d = new Dropout(0.5);
        s.add(d);
        assertThat(d.isTraining()).isFalse();
    }

    @Test
    void duplicateOrDottedNamesAreRejected() {
        assertThatThrownBy(() -> new Module() {
            {
                registerParameter("w", Tensor.zeros(1));
                registerParameter("w", Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }).hasMessageContaining("'w' is already registered");
        assertThatThrownBy(() -> new Module() {
            {
                registerModule("a.b", new ReLU());
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }).hasMessageContaining("contain no '.'");
    }

    @Test
    void sharedParameterCountedOnce() {
        Linear l = new Linear(3, 3, true, new Rng(0));
        Sequential s = new Sequential(l, l);
        assertThat(s.namedParameters().keySet()).containsExactly("0.weight", "0.bias");
        assertThat(s.parameterCount()).isEqualTo(12);
    }

    @Test
    void dropoutIsInvertedSeededAndOffInEval() {
        Dropout d = new Dropout(0.25, new Rng(7));
        Tensor x = Tensor.ones(1000, 10);
        float[] y = d.forward(x).data();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) zeros++;
            else assertThat(v).isEqualTo(1f / 0.75f);
        }
        // 10000 Bernoulli(0.25) draws: mean 2500, sd ≈ 43; ±300 is about 7 sd.
        assertThat(zeros).isBetween(2200, 2800);
        Dropout again = new Dropout(0.25, new Rng(7));
        assertThat(again.forward(x).data()).isEqualTo(y);
        d.eval();
        assertThat(d.forward(x)).isSameAs(x);
        assertThat(new Dropout(1.0).forward(x).sum().item()).isZero();
        assertThatThrownBy(() -> new Dropout(1.5)).hasMessageContaining("between 0 and 1");
    }

    @Test
    void rngPropagatesToChildrenAndIsInheritedOnRegistration() {
        Rng r = new Rng(3);
        Sequential s = new Sequential(new Dropout(0.5));
        s.setRng(r);
        Dropout late = new Dropout(0.5);
        s.add(late);
        assertThat(s.get(0).rng()).isSameAs(r);
        assertThat(late.rng()).isSameAs(r);
    }

    @Test
    void linearDefaultInitIsPyTorchs() {
        Linear l = new Linear(400, 300, true, new Rng(11));
        double bound = 1 / Math.sqrt(400); // kaiming_uniform(a=√5): √3·√(2/(1+5))/√400 = 1/√400
        double max = 0, sumSq = 0;
        for (float v : l.weight().data()) {
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
        // Var of U(−b, b) is b²/3; 120000 samples put the estimate within ~1%.
        assertThat(sumSq / l.weight().size()).isCloseTo(bound * bound / 3, org.assertj.core.data.Percentage.withPercentage(3));
        for (float v : l.bias().data()) assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
        // Same seed, same weights.
        assertThat(new Linear(400, 300, true, new Rng(11)).weight().toArray()).isEqualTo(l.weight().toArray());
    }
}
