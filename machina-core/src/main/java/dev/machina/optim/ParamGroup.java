package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.List;

/**
 * A set of parameters with its own learning rate and weight decay, as an entry of PyTorch's
 * {@code param_groups}. {@code NaN} for either means "use the optimizer's default". The
 * learning rate is mutable ({@link #lr(double)}) so schedules can drive it.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private double lr;
    private double weightDecay;

    private ParamGroup(List<Tensor> params, double lr, double weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    /** A group using the optimizer's default learning rate and weight decay. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params, Double.NaN, Double.NaN);
    }

    /** A copy with its own learning rate. */
    public ParamGroup withLr(double lr) {
        return new ParamGroup(params, lr, weightDecay);
    }

    /** A copy with its own weight decay (e.g. 0 for biases). */
    public ParamGroup withWeightDecay(double wd) {
        return new ParamGroup(params, lr, wd);
    }

    public List<Tensor> params() {
        return params;
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate (what schedules call). */
    public void lr(double value) {
        lr = value;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public void weightDecay(double value) {
        weightDecay = value;
    }

    void fillDefaults(double defaultLr, double defaultWd) {
        if (Double.isNaN(lr)) lr = defaultLr;
        if (Double.isNaN(weightDecay)) weightDecay = defaultWd;
    }
}
