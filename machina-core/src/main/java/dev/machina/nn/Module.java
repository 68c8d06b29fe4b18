package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Base class of every layer and model, as {@code torch.nn.Module}. A module holds named
 * parameters and named sub-modules, registered explicitly and in order with
 * {@link #registerParameter} and {@link #registerModule}; their dotted names
 * ({@code 0.weight}, {@code fc1.bias}) are PyTorch's state-dict keys.
 *
 * <p>A module knows its path in the tree (set when it is registered), so errors can name
 * the layer: {@code Linear(in=784, out=256) at '0': expected input [*, 784], got [64, 100]}.
 * It also carries the random generator used by stochastic layers such as {@link Dropout}:
 * {@link #setRng(Rng)} gives one generator to the whole subtree, and a child registered into
 * a parent that has a generator inherits it.
 */
public abstract class Module {
    private final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private String path = "";
    private boolean training = true;
    private Rng rng;

    /** Computes the module's output. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers a parameter under {@code name} (no dots), marks it as requiring gradients and
     * returns it. The order of registration is the order of {@link #parameters()}.
     */
    protected final Tensor registerParameter(String name, Tensor tensor) {
        checkName(name);
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(kind() + ": attribute '" + name + "' is already registered");
        }
        tensor.requiresGrad(true);
        params.put(name, tensor);
        return tensor;
    }

    /** Registers a sub-module under {@code name}, sets its path in the tree, and returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        if (module == this) throw new IllegalArgumentException(kind() + ": a module cannot contain itself");
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(kind() + ": attribute '" + name + "' is already registered");
        }
        Module m = module;
        children.put(name, m);
        m.setPath(path.isEmpty() ? name : path + "." + name);
        if (rng != null && m.rng == null) m.setRng(rng);
        m.train(training);
        return module;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module attribute names must be non-empty and contain no '.', got '" + name + "'");
        }
    }

    private void setPath(String p) {
        path = p;
        for (var e : children.entrySet()) e.getValue().setPath(p.isEmpty() ? e.getKey() : p + "." + e.getKey());
    }

    /** The dotted path of this module in the tree it was registered into ("" for a root). */
    public final String path() {
        return path;
    }

    // ---------------------------------------------------------------- traversal

    /** Parameters of this module and all descendants, in registration order (each once). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters by dotted name ({@code 0.weight}), in registration order, each tensor once. */
    public final LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collect("", out, seen);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, Set<Tensor> seen) {
        for (var e : params.entrySet()) if (seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, seen);
    }

    /** Direct sub-modules by name, in registration order (unmodifiable). */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module and all descendants, depth first, keyed by dotted path relative to this ("" for this). */
    public final LinkedHashMap<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().walk(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
    }

    /** Number of parameter values (each shared tensor counted once). */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.size();
        return n;
    }

    /** Clears the gradient of every parameter. */
    public final void zeroGrad() {
        for (Tensor t : parameters()) t.setGrad(null);
    }

    // ---------------------------------------------------------------- mode and rng

    /** Sets training (true) or evaluation (false) mode on this module and all descendants; returns this. */
    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    /** Training mode for the whole subtree; returns this. */
    public final Module train() {
        return train(true);
    }

    /** Evaluation mode for the whole subtree (dropout off); returns this. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Gives {@code generator} to this module and all descendants (used by Dropout); returns this. */
    public Module setRng(Rng generator) {
        rng = generator;
        for (Module m : children.values()) m.setRng(generator);
        return this;
    }

    /** This module's generator, or {@link Rng#global()} if none was given. */
    public final Rng rng() {
        return rng != null ? rng : Rng.global();
    }

    // ---------------------------------------------------------------- state dict

    /**
     * A snapshot of every parameter, by PyTorch key ({@code 0.weight}), as copies detached from
     * the graph, in registration order.
     */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (var e : namedParameters().entrySet()) out.put(e.getKey(), e.getValue().copy());
        return out;
    }

    /** Loads a state dict strictly: every key must be present, none unexpected, shapes equal. */
    public final void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * Copies values into the existing parameters (in place, so optimizers keep working). With
     * {@code strict}, missing and unexpected keys are errors; shapes must always match. Nothing
     * is changed if any check fails.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        LinkedHashMap<String, Tensor> own = namedParameters();
        List<String> problems = new ArrayList<>();
        if (strict) {
            List<String> missing = new ArrayList<>();
            for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
            Set<String> unexpected = new LinkedHashSet<>(state.keySet());
            unexpected.removeAll(own.keySet());
            if (!missing.isEmpty()) problems.add("missing key(s) in state_dict: " + quoteAll(missing));
            if (!unexpected.isEmpty()) problems.add("unexpected key(s) in state_dict: " + quoteAll(unexpected));
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null && !Arrays.equals(src.shape(), e.getValue().shape())) {
                problems.add("size mismatch for " + e.getKey() + ": copying a param with shape " + Shape.str(src.shape())
                        + ", the shape in current model is " + Shape.str(e.getValue().shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + kind() + ":\n\t" + String.join("\n\t", problems));
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null) System.arraycopy(src.data(), 0, e.getValue().data(), 0, src.size());
        }
    }

    private static String quoteAll(Iterable<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) sb.append(sb.length() == 0 ? "" : ", ").append('"').append(k).append('"');
        return sb.toString();
    }

    // ---------------------------------------------------------------- errors and text

    /** The class name shown in the tree ({@code Linear}). */
    protected String kind() {
        return getClass().getSimpleName();
    }

    /** The part inside the parentheses of the repr ({@code in_features=784, …}); empty by default. */
    protected String extraRepr() {
        return "";
    }

    /**
     * An exception naming this layer and where it sits:
     * {@code <what> at '<path>': <message>} ({@code <what>} is e.g. {@code Linear(in=784, out=256)}).
     */
    protected final IllegalArgumentException inputError(String what, String message) {
        return new IllegalArgumentException(what + (path.isEmpty() ? "" : " at '" + path + "'") + ": " + message);
    }

    /** PyTorch's repr of the tree, without parameter counts. */
    public final String repr() {
        StringBuilder sb = new StringBuilder(kind()).append('(');
        String extra = extraRepr();
        if (children.isEmpty()) return sb.append(extra).append(')').toString();
        sb.append(extra);
        for (var e : children.entrySet()) {
            String child = e.getValue().repr().replace("\n", "\n  ");
            sb.append("\n  (").append(e.getKey()).append("): ").append(child);
        }
        return sb.append("\n)").toString();
    }

    /** The PyTorch-style tree ({@link #repr()}) followed by a line with the parameter count. */
    @Override
    public String toString() {
        return repr() + "\nTotal parameters: " + String.format(Locale.ROOT, "%,d", parameterCount());
    }
}
