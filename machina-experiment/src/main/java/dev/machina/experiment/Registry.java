package dev.machina.experiment;

import java.util.List;

/**
 * Everything a spec can name, one entry per component: the layers, losses, optimizers,
 * schedules, datasets and sweep search dimensions, each with its settings (keys, defaults from
 * the core's own {@code Config} records, meanings) and its factory. docs/SPEC.md is checked
 * against this list by a test.
 */
public final class Registry {
    private Registry() {}

    /** Every kind of component, in the order docs/SPEC.md documents them. */
    public static List<Component.Kind<?>> kinds() {
        return List.of(DatasetRegistry.DATASETS, LayerRegistry.LAYERS, LossRegistry.LOSSES, OptimizerRegistry.OPTIMIZERS,
                ScheduleRegistry.SCHEDULES, DimensionRegistry.DIMENSIONS);
    }
}
