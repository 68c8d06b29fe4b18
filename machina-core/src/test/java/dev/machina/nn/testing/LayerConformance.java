package dev.machina.nn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.nn.Module;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one conformance check every layer test calls (after Keras's run_layer_test). Given a
 * factory that builds the layer from a generator, it checks: the output shape; parameter names,
 * shapes and count; state-dict round trip (a fresh module built from another seed, loaded with
 * the first one's state, gives bit-identical output); train/eval reaching every sub-module and
 * eval being deterministic; zeroGrad; and a finite-difference gradcheck of the input and every
 * parameter (in training mode, with the module's generator reset before each forward so that
 * stochastic layers use the same mask).
 */
public final class LayerConformance {
    private LayerConformance() {}

    /**
     * @param factory        builds the module from a generator (initial weights)
     * @param inputShape     shape of the random test input
     * @param expectedOutput expected output shape
     * @param expectedParams expected parameter names in order, with shapes
     */
    public static Module check(Function<Rng, Module> factory, int[] inputShape, int[] expectedOutput, Map<String, int[]> expectedParams) {
        Rng rng = new Rng(1234);
        Module m = factory.apply(new Rng(1));
        // Inputs kept away from 0 by at least 0.1 so that kinks (ReLU) are not straddled by ±ε.
        Tensor x = Tensor.randn(rng, inputShape);
        float[] xd = x.data();
        for (int i = 0; i < xd.length; i++) xd[i] = Math.copySign(Math.abs(xd[i]) + 0.1f, xd[i]);
        return check(factory, m, x, true, rng, expectedOutput, expectedParams);
    }

    /**
     * The same checks on a given input; with {@code inputGrad} false the input is treated as a
     * constant (e.g. the indices of an Embedding) and only the parameters are gradchecked.
     */
    public static Module check(Function<Rng, Module> factory, Tensor x, boolean inputGrad, int[] expectedOutput,
                               Map<String, int[]> expectedParams) {
        return check(factory, factory.apply(new Rng(1)), x, inputGrad, new Rng(1234), expectedOutput, expectedParams);
    }

    private static Module check(Function<Rng, Module> factory, Module m, Tensor x, boolean inputGrad, Rng rng, int[] expectedOutput,
                                Map<String, int[]> expectedParams) {
        long[] rngState = new Rng(99).state();

        // Output shape.
        Tensor y = forward(m, x, rngState);
        assertThat(y.shape()).as("%s output shape", m.repr()).containsExactly(expectedOutput);

        // Parameters: names, order, shapes, count.
        LinkedHashMap<String, Tensor> named = m.namedParameters();
        assertThat(new ArrayList<>(named.keySet())).as("parameter names").containsExactlyElementsOf(expectedParams.keySet());
        long count = 0;
        for (var e : expectedParams.entrySet()) {
            assertThat(named.get(e.getKey()).shape()).as("shape of %s", e.getKey()).containsExactly(e.getValue());
            assertThat(named.get(e.getKey()).requiresGrad()).isTrue();
            count += dev.machina.tensor.Shape.size(e.getValue());
        }
        assertThat(m.parameterCount()).isEqualTo(count);
        assertThat(m.parameters()).hasSize(expectedParams.size());
        assertThat(m.toString()).startsWith(m.repr()).contains(String.format(java.util.Locale.ROOT, "%,d", count));

        // State-dict round trip into a module built from another seed.
        Map<String, Tensor> sd = m.stateDict();
        assertThat(sd.keySet()).containsExactlyElementsOf(expectedParams.keySet());
        Module fresh = factory.apply(new Rng(2));
        if (count > 0) assertThat(outputs(fresh, x, rngState)).as("a module from another seed differs before loading").isNotEqualTo(outputs(m, x, rngState));
        fresh.loadStateDict(sd);
        assertThat(outputs(fresh, x, rngState)).as("state dict round trip").isEqualTo(outputs(m, x, rngState));
        // The snapshot is a copy: changing it does not change the module.
        for (Tensor t : sd.values()) java.util.Arrays.fill(t.data(), 42f);
        assertThat(outputs(fresh, x, rngState)).isEqualTo(outputs(m, x, rngState));

        // Train / eval reach every sub-module; eval is deterministic.
        m.eval();
        for (Module sub : m.namedModules().values()) assertThat(sub.isTraining()).isFalse();
        float[] e1 = forward(m, x, new Rng(5).state()).toArray(), e2 = forward(m, x, new Rng(6).state()).toArray();
        assertThat(e1).as("eval mode must not depend on the generator").isEqualTo(e2);
        m.train();
        for (Module sub : m.namedModules().values()) assertThat(sub.isTraining()).isTrue();

        // Gradients of the input and of every parameter.
        x.requiresGrad(inputGrad);
        List<Tensor> wrt = new ArrayList<>();
        if (inputGrad) wrt.add(x);
        wrt.addAll(m.parameters());
        NnGradCheck.check(m.repr(), () -> forward(m, x, rngState), wrt, rng, 40);

        // zeroGrad clears what backward produced.
        forward(m, x, rngState).sum().backward();
        if (count > 0) assertThat(m.parameters().get(0).grad()).isNotNull();
        m.zeroGrad();
        for (Tensor p : m.parameters()) assertThat(p.grad()).isNull();
        x.requiresGrad(false);
        x.setGrad(null);
        return m;
    }

    private static Tensor forward(Module m, Tensor x, long[] rngState) {
        m.setRng(Rng.fromState(rngState));
        return m.forward(x);
    }

    private static List<Float> outputs(Module m, Tensor x, long[] rngState) {
        List<Float> out = new ArrayList<>();
        try (var s = Tensor.noGrad()) {
            for (boolean train : new boolean[] {true, false}) {
                m.train(train);
                for (float v : forward(m, x, rngState).data()) out.add(v);
            }
        }
        m.train(true);
        return out;
    }
}
