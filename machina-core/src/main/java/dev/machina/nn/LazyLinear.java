package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * A {@link Linear} whose input size is taken from the first input it sees, as
 * {@code torch.nn.LazyLinear}: {@code new LazyLinear(256)} after a flatten of 28×28 images becomes
 * a 784 → 256 layer on the first forward. Until then it has no parameters, so run one forward (a
 * batch, or a dry run of one example) before building an optimizer over the model. Its weights
 * are drawn from its generator when it materialises, exactly as a {@code Linear} of that size
 * built at that moment would draw them; parameter names and layouts are Linear's ({@code weight}
 * [out, in], {@code bias} [out]).
 */
public final class LazyLinear extends Module {
    private final int outFeatures;
    private final boolean withBias;
    private final Rng init;
    private Tensor weight, bias;

    /** With bias, initialised from {@link Rng#global()} when it materialises. */
    public LazyLinear(int outFeatures) {
        this(outFeatures, true, Rng.global());
    }

    public LazyLinear(int outFeatures, boolean bias, Rng rng) {
        if (outFeatures <= 0) throw new IllegalArgumentException("LazyLinear: out_features must be positive, got " + outFeatures);
        this.outFeatures = outFeatures;
        this.withBias = bias;
        this.init = rng;
    }

    /** True once the first input has fixed the input size. */
    public boolean materialized() {
        return weight != null;
    }

    /** The input size, or 0 before the first forward. */
    public int inFeatures() {
        return weight == null ? 0 : weight.shape(1);
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight [out, in], or null before the first forward. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, or null (built without one, or before the first forward). */
    public Tensor bias() {
        return bias;
    }

    /** Fails, naming this layer, unless x is [*, in] (once built). */
    void checkInput(Tensor x) {
        if (weight != null && (x.rank() < 1 || x.shape(-1) != weight.shape(1))) {
            throw inputError("LazyLinear(in=" + weight.shape(1) + ", out=" + outFeatures + ")",
                    "expected input [*, " + weight.shape(1) + "], got " + Shape.str(x.shape()));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.shape(-1) < 1) throw inputError("LazyLinear(out=" + outFeatures + ")", "expected input [*, in], got " + Shape.str(x.shape()));
        if (weight == null) {
            weight = registerParameter("weight", Tensor.zeros(outFeatures, x.shape(-1)));
            bias = withBias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
            Linear.init(weight, bias, init);
        } else {
            checkInput(x);
        }
        return Tensor.linear(x, weight, bias);
    }

    /** Once materialised it is, as PyTorch's LazyLinear becomes, a Linear. */
    @Override
    protected String kind() {
        return weight == null ? "LazyLinear" : "Linear";
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures() + ", out_features=" + outFeatures + ", bias=" + (withBias ? "True" : "False");
    }
}
