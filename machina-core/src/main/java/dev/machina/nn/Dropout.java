package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;

/**
 * Inverted dropout, as {@code torch.nn.Dropout}: in training mode each element is zeroed with
 * probability p and the rest scaled by 1/(1−p); in evaluation mode it is the identity. The mask
 * is drawn from the module's generator ({@link Module#setRng}, inherited from the parent, or
 * given here), so a seeded run is reproducible.
 */
public final class Dropout extends Module {
    private final float p;


    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        this.p = (float) p;
    }

    /** With its own generator. */
    public Dropout(double p, Rng rng) {
        this(p);
        setRng(rng);
    }

    public float p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) return x;
        if (p == 1f) return x.mul(0f);
        return x.dropout(p, rng());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }
}
