package dev.machina.experiment;

import dev.machina.nn.Module;
import dev.machina.nn.Sequential;
import dev.machina.run.ModelDescriber;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Describes a Sequential of registry layers (or one such layer) as a spec's model list; registered for ServiceLoader. */
public final class SpecModelDescriber implements ModelDescriber {
    @Override
    public Optional<List<Object>> describe(Module model) {
        List<Module> layers = new ArrayList<>();
        if (model instanceof Sequential s) for (int i = 0; i < s.size(); i++) layers.add(s.get(i));
        else layers.add(model);
        List<Object> out = new ArrayList<>();
        for (Module m : layers) {
            Object e = LayerRegistry.describe(m);
            if (e == null) return Optional.empty();
            out.add(e);
        }
        return Optional.of(out);
    }
}
