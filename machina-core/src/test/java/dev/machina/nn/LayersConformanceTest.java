package dev.machina.nn;

import dev.machina.nn.testing.LayerConformance;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every layer through {@link LayerConformance}. */
class LayersConformanceTest {

    private static Map<String, int[]> params(Object... nameShape) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameShape.length; i += 2) m.put((String) nameShape[i], (int[]) nameShape[i + 1]);
        return m;
    }

    private static int[] s(int... d) {
        return d;
    }

    @Test
    void linear() {
        LayerConformance.check(r -> new Linear(5, 3, true, r), s(4, 5), s(4, 3), params("weight", s(3, 5), "bias", s(3)));
    }

    @Test
    void linearWithoutBiasOn3dInput() {
        LayerConformance.check(r -> new Linear(5, 2, false, r), s(2, 3, 5), s(2, 3, 2), params("weight", s(2, 5)));
    }

    @Test
    void sequentialMlpWithDropout() {
        LayerConformance.check(r -> new Sequential(new Flatten(), new Linear(6, 4, true, r), new ReLU(), new Dropout(0.3), new Linear(4, 3, true, r)),
                s(5, 2, 3), s(5, 3),
                params("1.weight", s(4, 6), "1.bias", s(4), "4.weight", s(3, 4), "4.bias", s(3)));
    }

    @Test
    void activations() {
        int[] in = {3, 4};
        Map<String, int[]> none = params();
        LayerConformance.check(r -> new ReLU(), in, in, none);
        LayerConformance.check(r -> new LeakyReLU(0.2f), in, in, none);
        LayerConformance.check(r -> new Sigmoid(), in, in, none);
        LayerConformance.check(r -> new Tanh(), in, in, none);
        LayerConformance.check(r -> new GELU(), in, in, none);
        LayerConformance.check(r -> new Softmax(1), in, in, none);
        LayerConformance.check(r -> new Softmax(0), in, in, none);
        LayerConformance.check(r -> new LogSoftmax(-1), in, in, none);
        LayerConformance.check(r -> new Identity(), in, in, none);
    }

    @Test
    void dropoutAndFlatten() {
        LayerConformance.check(r -> new Dropout(0.5), s(4, 6), s(4, 6), params());
        LayerConformance.check(r -> new Flatten(), s(2, 3, 4), s(2, 12), params());
        LayerConformance.check(r -> new Flatten(0, 1), s(2, 3, 4), s(6, 4), params());
    }
}
