package dev.machina.experiment;

import static dev.machina.experiment.Setting.bool;
import static dev.machina.experiment.Setting.fraction;
import static dev.machina.experiment.Setting.nonNegative;
import static dev.machina.experiment.Setting.pair;
import static dev.machina.experiment.Setting.positive;

import dev.machina.optim.Adagrad;
import dev.machina.optim.Adam;
import dev.machina.optim.AdamW;
import dev.machina.optim.Optimizer;
import dev.machina.optim.ParamGroup;
import dev.machina.optim.RMSprop;
import dev.machina.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The optimizers a spec can name: one entry each, defaults from the optimizer's own {@code Config}. */
final class OptimizerRegistry {
    private OptimizerRegistry() {}

    /** Builds the optimizer over these parameter groups. */
    interface Factory {
        Optimizer build(Map<String, Object> a, List<ParamGroup> groups);
    }

    /** SGD has no default learning rate of its own (PyTorch requires one); a spec that names none gets this. */
    static final double SGD_LR = 0.01;

    private static final SGD.Config SGD_D = SGD.Config.lr(SGD_LR);
    private static final Adam.Config ADAM_D = Adam.Config.defaults(), ADAMW_D = Adam.Config.adamWDefaults();
    private static final RMSprop.Config RMS_D = RMSprop.Config.defaults();
    private static final Adagrad.Config ADAGRAD_D = Adagrad.Config.defaults();

    static final Component.Kind<Factory> OPTIMIZERS = Component.Kind.<Factory>of("optimizer", "Optimizers",
            Component.<Factory>of("sgd", "stochastic gradient descent, with momentum and Nesterov momentum", null, settings(
                    Setting.of("lr", positive(), SGD_D.lr(), "learning rate"),
                    Setting.of("weight_decay", nonNegative(), SGD_D.weightDecay(), "L2 penalty added to the gradient"),
                    Setting.of("momentum", nonNegative(), SGD_D.momentum(), "momentum factor"),
                    Setting.of("dampening", nonNegative(), SGD_D.dampening(), "dampening of the momentum"),
                    Setting.of("nesterov", bool(), SGD_D.nesterov(), "Nesterov momentum (needs momentum > 0 and no dampening)")),
                    (a, g) -> new SGD(SGD.Config.lr(num(a, "lr")).withMomentum(num(a, "momentum")).withDampening(num(a, "dampening"))
                            .withWeightDecay(num(a, "weight_decay")).withNesterov((Boolean) a.get("nesterov")), g))
                    .withCheck((a, node) -> {
                        if ((Boolean) a.get("nesterov") && (num(a, "momentum") <= 0 || num(a, "dampening") != 0)) {
                            throw node.get("nesterov").error("Nesterov momentum requires a momentum > 0 and zero dampening");
                        }
                    }),
            adam("adam", "Adam", ADAM_D),
            adam("adamw", "Adam with decoupled weight decay", ADAMW_D),
            Component.<Factory>of("rmsprop", "RMSprop", null, settings(
                    Setting.of("lr", positive(), RMS_D.lr(), "learning rate"),
                    Setting.of("weight_decay", nonNegative(), RMS_D.weightDecay(), "L2 penalty added to the gradient"),
                    Setting.of("alpha", fraction(0, 1, true), RMS_D.alpha(), "smoothing constant of the squared-gradient average"),
                    Setting.of("eps", nonNegative(), RMS_D.eps(), "added to the denominator"),
                    Setting.of("momentum", nonNegative(), RMS_D.momentum(), "momentum factor"),
                    Setting.of("centered", bool(), RMS_D.centered(), "normalise by the gradient's estimated variance")),
                    (a, g) -> new RMSprop(RMSprop.Config.defaults().withLr(num(a, "lr")).withAlpha(num(a, "alpha")).withEps(num(a, "eps"))
                            .withWeightDecay(num(a, "weight_decay")).withMomentum(num(a, "momentum")).withCentered((Boolean) a.get("centered")), g)),
            Component.<Factory>of("adagrad", "Adagrad", null, settings(
                    Setting.of("lr", positive(), ADAGRAD_D.lr(), "learning rate"),
                    Setting.of("weight_decay", nonNegative(), ADAGRAD_D.weightDecay(), "L2 penalty added to the gradient"),
                    Setting.of("eps", nonNegative(), ADAGRAD_D.eps(), "added to the denominator"),
                    Setting.of("lr_decay", nonNegative(), ADAGRAD_D.lrDecay(), "learning-rate decay per step"),
                    Setting.of("initial_accumulator_value", nonNegative(), ADAGRAD_D.initialAccumulatorValue(), "starting value of the sum of squares")),
                    (a, g) -> new Adagrad(Adagrad.Config.defaults().withLr(num(a, "lr")).withWeightDecay(num(a, "weight_decay"))
                            .withEps(num(a, "eps")).withLrDecay(num(a, "lr_decay")).withInitialAccumulatorValue(num(a, "initial_accumulator_value")), g)));

    private static Component<Factory> adam(String name, String doc, Adam.Config d) {
        return Component.of(name, doc, null, settings(
                Setting.of("lr", positive(), d.lr(), "learning rate"),
                Setting.of("weight_decay", nonNegative(), d.weightDecay(), name.equals("adamw") ? "decoupled weight decay" : "L2 penalty added to the gradient"),
                Setting.of("betas", pair(), List.of(d.beta1(), d.beta2()), "decay rates of the first and second moment estimates"),
                Setting.of("eps", nonNegative(), d.eps(), "added to the denominator"),
                Setting.of("amsgrad", bool(), d.amsgrad(), "the AMSGrad variant")), (a, g) -> {
                    List<?> b = (List<?>) a.get("betas");
                    Adam.Config c = Adam.Config.defaults().withLr(num(a, "lr")).withBetas(((Number) b.get(0)).doubleValue(), ((Number) b.get(1)).doubleValue())
                            .withEps(num(a, "eps")).withWeightDecay(num(a, "weight_decay")).withAmsgrad((Boolean) a.get("amsgrad"));
                    return name.equals("adam") ? new Adam(c, g) : new AdamW(c, g);
                });
    }

    /** The optimizer's own settings, then the one every optimizer has. */
    private static List<Setting> settings(Setting... own) {
        List<Setting> l = new ArrayList<>(List.of(own));
        l.add(Setting.of("no_decay_on_bias", bool(), false, "put biases in a parameter group without weight decay"));
        return l;
    }

    static double num(Map<String, Object> a, String key) {
        return ((Number) a.get(key)).doubleValue();
    }
}
