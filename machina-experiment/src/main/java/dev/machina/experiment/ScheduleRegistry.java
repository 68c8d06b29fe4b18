package dev.machina.experiment;

import static dev.machina.experiment.OptimizerRegistry.num;
import static dev.machina.experiment.Setting.choice;
import static dev.machina.experiment.Setting.fraction;
import static dev.machina.experiment.Setting.integer;
import static dev.machina.experiment.Setting.intList;
import static dev.machina.experiment.Setting.nonNegative;
import static dev.machina.experiment.Setting.positive;

import dev.machina.optim.Optimizer;
import dev.machina.optim.lr.CosineAnnealingLR;
import dev.machina.optim.lr.CosineAnnealingWarmRestarts;
import dev.machina.optim.lr.ExponentialLR;
import dev.machina.optim.lr.LRScheduler;
import dev.machina.optim.lr.LinearLR;
import dev.machina.optim.lr.MultiStepLR;
import dev.machina.optim.lr.OneCycleLR;
import dev.machina.optim.lr.ReduceLROnPlateau;
import dev.machina.optim.lr.StepLR;
import dev.machina.train.callbacks.LrScheduleCallback;
import dev.machina.train.callbacks.Monitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The learning-rate schedules a spec can name: one entry each. Periods are in epochs; with
 * {@code every: batch} the schedule is stepped per batch and its periods scaled to batches.
 */
final class ScheduleRegistry {
    private ScheduleRegistry() {}

    /** What a schedule is built from: the optimizer, batches per epoch, epochs. */
    record Context(Optimizer optimizer, int stepsPerEpoch, int epochs) {}

    /** Builds the schedule's callback, or null for none. */
    interface Factory {
        LrScheduleCallback build(Map<String, Object> a, Context c);
    }

    /** A schedule stepped per epoch, or per batch (periods scaled to batches). */
    interface Periodic {
        LRScheduler build(Map<String, Object> a, Optimizer opt, int per, Context c);
    }

    private static final ReduceLROnPlateau.Config PLATEAU_D = ReduceLROnPlateau.Config.defaults();

    static final Component.Kind<Factory> SCHEDULES = Component.Kind.<Factory>of("schedule", "Schedules",
            Component.<Factory>of("none", "a constant learning rate", null, List.of(), (a, c) -> null),
            periodic("step", "multiply the rate by gamma every step_size epochs", List.of(
                    Setting.derived("step_size", integer(1), d -> Math.max(1, d.epochs() / 3), "epochs/3", "the period in epochs"),
                    Setting.of("gamma", positive(), 0.1, "the factor")),
                    (a, opt, per, c) -> new StepLR(opt, (Integer) a.get("step_size") * per, num(a, "gamma"))),
            periodic("multistep", "multiply the rate by gamma at each milestone", List.of(
                    Setting.required("milestones", intList(1), "the epochs, e.g. [10, 20]"),
                    Setting.of("gamma", positive(), 0.1, "the factor")),
                    (a, opt, per, c) -> new MultiStepLR(opt, ((List<?>) a.get("milestones")).stream().mapToInt(m -> (Integer) m * per).toArray(),
                            num(a, "gamma"))),
            periodic("exponential", "multiply the rate by gamma every epoch", List.of(
                    Setting.of("gamma", positive(), 0.95, "the factor per epoch")),
                    (a, opt, per, c) -> new ExponentialLR(opt, per > 1 ? Math.pow(num(a, "gamma"), 1.0 / c.stepsPerEpoch()) : num(a, "gamma"))),
            periodic("cosine", "cosine annealing from the rate down to eta_min over t_max epochs", List.of(
                    Setting.derived("t_max", integer(1), d -> d.epochs(), "epochs", "the half period in epochs"),
                    Setting.of("eta_min", nonNegative(), 0.0, "the lowest rate")),
                    (a, opt, per, c) -> new CosineAnnealingLR(opt, (Integer) a.get("t_max") * per, num(a, "eta_min"))),
            periodic("cosine_restarts", "cosine annealing restarted every t_0·t_mult^k epochs (SGDR)", List.of(
                    Setting.derived("t_0", integer(1), d -> Math.max(1, d.epochs() / 3), "epochs/3", "the first period in epochs"),
                    Setting.of("t_mult", integer(1), 1, "the growth of the period at each restart"),
                    Setting.of("eta_min", nonNegative(), 0.0, "the lowest rate")),
                    (a, opt, per, c) -> new CosineAnnealingWarmRestarts(opt, (Integer) a.get("t_0") * per, (Integer) a.get("t_mult"), num(a, "eta_min"))),
            periodic("warmup", "linear warm-up from start_factor·lr to lr", List.of(
                    Setting.derived("warmup_epochs", integer(1), d -> Math.max(1, d.epochs() / 10), "epochs/10", "the length of the warm-up in epochs"),
                    Setting.of("start_factor", fraction(0, 1, true), 0.1, "the fraction of the rate to start from")),
                    (a, opt, per, c) -> new LinearLR(opt, num(a, "start_factor"), 1.0, (Integer) a.get("warmup_epochs") * per)),
            Component.<Factory>of("onecycle", "the one-cycle policy, stepped per batch", null, List.of(
                    Setting.of("max_lr", positive(), 0.01, "the peak rate"),
                    Setting.of("pct_start", fraction(0, 1, false), 0.3, "the fraction of the steps spent rising")),
                    (a, c) -> new LrScheduleCallback(new OneCycleLR(c.optimizer(), num(a, "max_lr"), c.epochs() * c.stepsPerEpoch(), num(a, "pct_start"),
                            true, 25, 1e4, false), LrScheduleCallback.Every.BATCH)),
            Component.<Factory>of("plateau", "multiply the rate by factor when a metric stops improving", null, List.of(
                    Setting.of("monitor", Setting.text(), "val_loss", "the metric to watch (maximised when it is an accuracy)"),
                    Setting.of("factor", fraction(0, 1, false), PLATEAU_D.factor(), "the factor"),
                    Setting.of("patience", integer(0), PLATEAU_D.patience(), "epochs without improvement before reducing"),
                    Setting.of("threshold", nonNegative(), PLATEAU_D.threshold(), "relative improvement that counts"),
                    Setting.of("cooldown", integer(0), PLATEAU_D.cooldown(), "epochs to wait after a reduction"),
                    Setting.of("min_lr", nonNegative(), PLATEAU_D.minLr(), "the lowest rate")),
                    (a, c) -> {
                        String monitor = (String) a.get("monitor");
                        ReduceLROnPlateau p = new ReduceLROnPlateau(c.optimizer(), ReduceLROnPlateau.Config.defaults()
                                .withMaximize(Monitor.of(monitor, "auto").maximize()).withFactor(num(a, "factor")).withPatience((Integer) a.get("patience"))
                                .withThreshold(num(a, "threshold"), true).withCooldown((Integer) a.get("cooldown")).withMinLr(num(a, "min_lr")));
                        return new LrScheduleCallback(p, monitor);
                    }));

    private static Component<Factory> periodic(String name, String doc, List<Setting> own, Periodic make) {
        List<Setting> settings = new ArrayList<>(own);
        settings.add(Setting.of("every", choice("epoch", "batch"), "epoch", "step the schedule per epoch or per batch"));
        return Component.of(name, doc, null, settings, (a, c) -> {
            boolean batch = "batch".equals(a.get("every"));
            return new LrScheduleCallback(make.build(a, c.optimizer(), batch ? c.stepsPerEpoch() : 1, c),
                    batch ? LrScheduleCallback.Every.BATCH : LrScheduleCallback.Every.EPOCH);
        });
    }
}
