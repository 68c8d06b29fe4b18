package dev.machina.run;

import dev.machina.nn.Module;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Describes a model as the layer list of a spec ({@code [{linear: {out: 256, bias: true}}, relu, …]}),
 * so that a run recorded from a plain {@code Trainer} can be rebuilt later ({@code model.layers}
 * in run.json). The experiment layer
 * provides the implementation (found with {@link ServiceLoader}); without it, or for a model with
 * a layer it does not know, runs are recorded without the description.
 */
public interface ModelDescriber {
    /** The layer list, or empty when some layer of {@code model} has no spec form. */
    Optional<List<Object>> describe(Module model);

    /** The describer on the class path, if any. */
    static Optional<ModelDescriber> find() {
        return ServiceLoader.load(ModelDescriber.class).findFirst();
    }
}
