package dev.machina.nn;

import dev.machina.nn.init.Init;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * A fully connected layer, y = x·Wᵀ + b, as {@code torch.nn.Linear}: weight [out, in], bias
 * [out]. Initialised like PyTorch (kaiming_uniform with a=√5, i.e. U(±1/√in) for the weight;
 * bias U(±1/√in)), so results are comparable with PyTorch out of the box.
 */
public final class Linear extends Module {
    private final int inFeatures, outFeatures;
    private final Tensor weight, bias;

    /** With bias, initialised from {@link Rng#global()}. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Rng.global());
    }

    /** Initialised from {@link Rng#global()}. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Rng.global());
    }

    /** Initialised from {@code rng} (weight first, then bias, as PyTorch's reset_parameters). */
    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: in_features and out_features must be positive, got " + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
        resetParameters(rng);
    }

    /** Re-initialises as PyTorch's {@code reset_parameters()}. */
    public void resetParameters(Rng rng) {
        init(weight, bias, rng);
    }

    /** PyTorch's initialisation of a linear layer's weight [out, in] and bias (may be null), from {@code rng}. */
    static void init(Tensor weight, Tensor bias, Rng rng) {
        Init.kaimingUniform(weight, Math.sqrt(5), Init.Mode.FAN_IN, "leaky_relu", rng);
        if (bias != null) {
            double bound = 1 / Math.sqrt(weight.shape(1));
            Init.uniform(bias, -bound, bound, rng);
        }
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return Tensor.linear(x, weight, bias);
    }

    /** Fails, naming this layer, unless x is [*, in]. */
    void checkInput(Tensor x) {
        if (x.rank() < 1 || x.shape(-1) != inFeatures) {
            throw inputError("Linear(in=" + inFeatures + ", out=" + outFeatures + ")",
                    "expected input [*, " + inFeatures + "], got " + Shape.str(x.shape()));
        }
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
