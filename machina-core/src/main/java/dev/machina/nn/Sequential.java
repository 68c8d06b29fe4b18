package dev.machina.nn;

import dev.machina.kernel.KernelProvider;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order, as {@code torch.nn.Sequential}; children are named 0, 1, 2, ….
 *
 * <p>Without gradients ({@link Tensor#noGrad()}) the linear layers run fused with the ReLU after
 * them (see {@code forwardNoGrad}): the same values, without the graph and the separate passes.
 * With gradients every layer runs as is.
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module (named by its position); returns this. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!Tensor.isGradEnabled()) return forwardNoGrad(x);
        for (Module m : layers) x = m.forward(x);
        return x;
    }

    /**
     * As {@link #forward}, with no graph, with the same values. Inputs of at most {@link #FEW_ROWS}
     * rows run layer by layer ({@link #forwardFewRows}). Otherwise each linear layer (a built
     * {@link LazyLinear} too) is one fused product ({@link Tensor#linearNoGrad}), and a
     * {@link ReLU} after it is applied to each part of the product as it is computed; a
     * {@link Dropout} in evaluation mode (or with p = 0) or an {@link Identity} between them,
     * which would return its input, is skipped. Every output is a new array: reusing per-thread
     * arrays for the outputs passed between linear layers measured only a few percent faster at
     * batch 1000, not worth the memory every thread that ran inference would keep.
     */
    private Tensor forwardNoGrad(Tensor x) {
        if (x.rank() < 1 || x.shape(-1) == 0 || x.size() / x.shape(-1) <= FEW_ROWS) return forwardFewRows(x);
        int n = layers.size();
        for (int i = 0; i < n; ) {
            Module m = layers.get(i);
            Tensor w, b;
            if (m instanceof Linear lin) {
                lin.checkInput(x);
                w = lin.weight();
                b = lin.bias();
            } else if (m instanceof LazyLinear lazy && lazy.materialized()) {
                lazy.checkInput(x);
                w = lazy.weight();
                b = lazy.bias();
            } else {
                x = m.forward(x);
                i++;
                continue;
            }
            int j = i + 1;
            while (j < n && returnsInput(layers.get(j))) j++;
            boolean relu = j < n && layers.get(j) instanceof ReLU;
            x = Tensor.linearNoGrad(x, w, b, relu);
            i = relu ? j + 1 : j;
        }
        return x;
    }

    /** Rows up to which the no-grad forward runs layer by layer ({@link #forwardFewRows}). */
    static final int FEW_ROWS = 4;

    /**
     * A few rows (batch-1 inference): each layer as is, a ReLU after a linear layer applied in
     * place on its new output. Fusing gains nothing measurable here (the passes it saves are over
     * a few hundred floats), and this is the code training and evaluation also run, so the JIT
     * has compiled it by the time single examples come: a path of its own measured slower for
     * the first tens of thousands of batch-1 calls.
     */
    private Tensor forwardFewRows(Tensor x) {
        int n = layers.size();
        for (int i = 0; i < n; i++) {
            Module m = layers.get(i);
            x = m.forward(x);
            if ((m instanceof Linear || m instanceof LazyLinear) && i + 1 < n && layers.get(i + 1) instanceof ReLU) {
                float[] y = x.data(); // the linear op's own new array
                KernelProvider.get().relu(y, 0, y, 0, y.length);
                i++;
            }
        }
        return x;
    }

    /** Whether m's forward returns its input as it is (an evaluation-mode dropout, an identity). */
    private static boolean returnsInput(Module m) {
        return m instanceof Identity || m instanceof Dropout d && (!d.isTraining() || d.p() == 0f);
    }
}
