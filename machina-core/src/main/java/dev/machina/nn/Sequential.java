package dev.machina.nn;

import dev.machina.kernel.KernelProvider;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order, as {@code torch.nn.Sequential}; children are named 0, 1, 2, ….
 *
 * <p>Without gradients ({@link Tensor#noGrad()}), a ReLU right after a {@link Linear} or
 * {@link LazyLinear} is applied in place to the linear layer's fresh output: the same values,
 * without a second array to allocate, zero and write. With gradients every layer runs as is.
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

    /** As {@link #forward}, with each Linear→ReLU pair's ReLU done in place (no graph is recorded, so nothing else sees the pre-activation). */
    private Tensor forwardNoGrad(Tensor x) {
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
}
