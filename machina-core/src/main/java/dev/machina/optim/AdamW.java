package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), as {@code torch.optim.AdamW}:
 * p = p·(1 − lr·wd) before the Adam step, with no decay term in the gradient. Default weight
 * decay 1e-2 ({@link Adam.Config#adamWDefaults()}).
 */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, Config cfg) {
        this(cfg, single(params));
    }

    public AdamW(Config cfg, List<ParamGroup> groups) {
        super(cfg, groups, true);
    }
}
