package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers, as {@code torch.optim.Optimizer}: parameter groups (each with its
 * own learning rate and weight decay), per-parameter state created lazily on the first step,
 * and a state dict of plain Java values for checkpoints.
 *
 * <p>State dict layout (PyTorch's): {@code "state"} → Map&lt;Integer, Map&lt;String, Object&gt;&gt;
 * keyed by the parameter's position across all groups, each holding {@code float[]} buffers
 * (e.g. {@code exp_avg}) and {@code Long} step counts; {@code "param_groups"} → List of
 * Map with {@code lr}, {@code weight_decay} (Double) and {@code params} (int[] positions).
 */
public abstract class Optimizer {
    protected final List<ParamGroup> groups;
    private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWeightDecay) {
        if (groups.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        this.groups = List.copyOf(groups);
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : this.groups) {
            g.fillDefaults(defaultLr, defaultWeightDecay);
            if (g.lr() < 0) throw new IllegalArgumentException("Invalid learning rate: " + g.lr());
            if (g.weightDecay() < 0) throw new IllegalArgumentException("Invalid weight_decay value: " + g.weightDecay());
            for (Tensor p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null) throw new IllegalArgumentException("some parameters appear in more than one parameter group");
                if (!p.requiresGrad()) throw new IllegalArgumentException("optimizer can only optimize tensors that require grad");
            }
        }
    }

    /** One group holding {@code params}. */
    protected static List<ParamGroup> single(List<Tensor> params) {
        return List.of(ParamGroup.of(params));
    }

    /** Validates a learning rate as PyTorch does. */
    protected static double checkLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Invalid learning rate: " + lr);
        return lr;
    }

    /** Validates a hyper-parameter that must be ≥ 0, with PyTorch's message. */
    protected static void checkNonNegative(String what, double v) {
        if (!(v >= 0)) throw new IllegalArgumentException("Invalid " + what + " value: " + v);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (p.grad() == null) continue;
                update(g, p, p.data(), p.grad().data(), state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
            }
        }
    }

    /** Updates one parameter in place; {@code st} is its (initially empty) state. */
    protected abstract void update(ParamGroup group, Tensor p, float[] param, float[] grad, Map<String, Object> st);

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.setGrad(null);
    }

    /**
     * Clears every parameter's gradient as {@link #zeroGrad} does, keeping each one's array for
     * that parameter's next gradient ({@link Tensor#releaseGrad}): a training loop's gradients then
     * stay in the same memory, in cache, step after step. A gradient tensor taken before this call
     * must not be used after it (its values change with the next backward).
     */
    public final void zeroGradReusingBuffers() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.releaseGrad();
    }

    public final List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The learning rate of group 0. */
    public final double lr() {
        return groups.get(0).lr();
    }

    /** Sets the learning rate of every group. */
    public final void lr(double lr) {
        for (ParamGroup g : groups) g.lr(checkLr(lr));
    }

    /** The state of one parameter (empty before its first step); live, not a copy. */
    public final Map<String, Object> state(Tensor p) {
        return state.getOrDefault(p, Map.of());
    }

    /** A deep copy of the optimizer's state as plain Java values (see the class comment). */
    public final Map<String, Object> stateDict() {
        Map<Integer, Map<String, Object>> st = new LinkedHashMap<>();
        List<Map<String, Object>> pg = new ArrayList<>();
        int idx = 0;
        for (ParamGroup g : groups) {
            int[] ids = new int[g.params().size()];
            for (int i = 0; i < ids.length; i++, idx++) {
                ids[i] = idx;
                Map<String, Object> s = state.get(g.params().get(i));
                if (s != null) st.put(idx, deepCopy(s));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lr", g.lr());
            m.put("weight_decay", g.weightDecay());
            m.put("params", ids);
            pg.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", st);
        out.put("param_groups", pg);
        return out;
    }

    /** Restores a state dict taken from an optimizer of the same type over the same parameter layout. */
    @SuppressWarnings("unchecked")
    public final void loadStateDict(Map<String, Object> sd) {
        List<Map<String, Object>> pg = (List<Map<String, Object>>) sd.get("param_groups");
        Map<Integer, Map<String, Object>> st = (Map<Integer, Map<String, Object>>) sd.get("state");
        if (pg == null || st == null) throw new IllegalArgumentException("optimizer state dict needs 'state' and 'param_groups'");
        if (pg.size() != groups.size()) {
            throw new IllegalArgumentException("loaded state dict has " + pg.size() + " parameter groups, this optimizer has " + groups.size());
        }
        List<Tensor> all = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            int[] ids = (int[]) pg.get(i).get("params");
            if (ids.length != groups.get(i).params().size()) {
                throw new IllegalArgumentException("loaded state dict contains a parameter group that doesn't match the size of optimizer's group " + i);
            }
            all.addAll(groups.get(i).params());
        }
        for (var e : st.entrySet()) {
            Tensor p = all.get(e.getKey());
            for (Object v : e.getValue().values()) {
                if (v instanceof float[] f && f.length != p.size()) {
                    throw new IllegalArgumentException("state of parameter " + e.getKey() + " has a buffer of " + f.length + " values for a parameter of " + p.size());
                }
            }
        }
        state.clear();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).lr(((Number) pg.get(i).get("lr")).doubleValue());
            groups.get(i).weightDecay(((Number) pg.get(i).get("weight_decay")).doubleValue());
        }
        for (var e : st.entrySet()) state.put(all.get(e.getKey()), deepCopy(e.getValue()));
    }

    private static Map<String, Object> deepCopy(Map<String, Object> s) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (var e : s.entrySet()) c.put(e.getKey(), e.getValue() instanceof float[] f ? f.clone() : e.getValue());
        return c;
    }

    /** The buffer {@code name} of a state, created as zeros (length n) on first use. */
    protected static float[] buffer(Map<String, Object> st, String name, int n) {
        return (float[]) st.computeIfAbsent(name, k -> new float[n]);
    }

    /** Increments and returns the step count of a state. */
    protected static long nextStep(Map<String, Object> st) {
        long s = (Long) st.getOrDefault("step", 0L) + 1;
        st.put("step", s);
        return s;
    }
}
