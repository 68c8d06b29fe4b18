# Reference numbers for the nn/loss/optim tests, computed with PyTorch 1.13 (Debian python3-torch)
# by: /usr/bin/python3 make_refs.py   -- the tests hard-code the printed values.
import torch, math
torch.set_printoptions(precision=9)
def f(t): return "{" + ", ".join("%.9gf" % v for v in t.detach().reshape(-1).tolist()) + "}"
X = torch.tensor([[0.2,-1.3,0.5,2.0],[1.5,0.3,-0.7,0.1],[-0.4,0.9,1.1,-2.2]])
y = torch.tensor([0,3,1])
w = torch.tensor([0.3,1.0,2.0,0.5])
def ce(name, **kw):
    x = X.clone().requires_grad_(True)
    tgt = kw.pop('target', y)
    l = torch.nn.functional.cross_entropy(x, tgt, **kw)
    if l.dim() == 0: l.backward()
    else: l.backward(torch.tensor([0.7,-1.1,0.4]))
    print(name, f(l), "grad", f(x.grad))
print("== cross entropy")
ce("plain_mean")
ce("plain_sum", reduction='sum')
ce("plain_none", reduction='none')
ce("weighted_mean", weight=w)
ce("smooth0.1_mean", label_smoothing=0.1)
ce("weighted_smooth0.2_mean", weight=w, label_smoothing=0.2)
ce("weighted_smooth0.2_ignore_mean", weight=w, label_smoothing=0.2, target=torch.tensor([0,-100,1]))
ce("weighted_smooth0.2_ignore_none", weight=w, label_smoothing=0.2, target=torch.tensor([0,-100,1]), reduction='none')
ce("weighted_ignore2_sum", weight=w, ignore_index=2, target=torch.tensor([2,3,1]), reduction='sum')
print("== nll")
x = torch.log_softmax(X,1).detach().requires_grad_(True)
l = torch.nn.functional.nll_loss(x, y, weight=w); l.backward(); print("nll_weighted_mean", f(l), "grad", f(x.grad))
print("== bce with logits")
XB = torch.tensor([[0.5,-2.0,3.0],[-0.3,0.0,1.7]]); TB = torch.tensor([[1.,0.,1.],[0.,1.,0.3]])
for name, kw in [("plain_mean", {}), ("posw_mean", dict(pos_weight=torch.tensor([2.0,0.5,1.0]))),
                 ("posw_weight_sum", dict(pos_weight=torch.tensor([2.0,0.5,1.0]), weight=torch.tensor([1.0,0.2,3.0]), reduction='sum'))]:
    x = XB.clone().requires_grad_(True)
    l = torch.nn.functional.binary_cross_entropy_with_logits(x, TB, **kw); l.backward()
    print(name, f(l), "grad", f(x.grad))
x = torch.tensor([100.0, -100.0]).requires_grad_(True)
l = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor([0.,1.]), reduction='none'); print("extreme_none", f(l))
print("== bce")
x = torch.sigmoid(XB).detach().requires_grad_(True)
l = torch.nn.functional.binary_cross_entropy(x, TB); l.backward(); print("bce_mean", f(l), "grad", f(x.grad))
x = torch.tensor([0.0, 1.0, 0.3]).requires_grad_(True)
l = torch.nn.functional.binary_cross_entropy(x, torch.tensor([1.,1.,0.]), reduction='none'); print("bce_clamp_none", f(l))

print("== optimizers: p0=[0.5,-1.2,2.0,0.1], loss=sum(a*(p-c)^2), a=[1,0.5,2,3], c=[0.3,0.2,-0.1,0.4], 5 steps")
a = torch.tensor([1,0.5,2,3.]); c = torch.tensor([0.3,0.2,-0.1,0.4])
def run(name, make, steps=5):
    p = torch.tensor([0.5,-1.2,2.0,0.1], requires_grad=True)
    opt = make([p])
    out = []
    for _ in range(steps):
        opt.zero_grad(); l = (a*(p-c)**2).sum(); l.backward(); opt.step(); out.append(p.detach().clone())
    print(name, f(torch.stack(out)))
O = torch.optim
run("sgd", lambda ps: O.SGD(ps, lr=0.1))
run("sgd_mom_wd", lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01))
run("sgd_nesterov", lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))
run("adam", lambda ps: O.Adam(ps, lr=0.1))
run("adam_wd_amsgrad", lambda ps: O.Adam(ps, lr=0.05, betas=(0.8,0.99), weight_decay=0.1, amsgrad=True))
run("adamw", lambda ps: O.AdamW(ps, lr=0.1, weight_decay=0.1))
run("rmsprop", lambda ps: O.RMSprop(ps, lr=0.01))
run("rmsprop_centered_mom_wd", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1))
run("adagrad", lambda ps: O.Adagrad(ps, lr=0.1))
run("adagrad_decay_wd_init", lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2))

print("== schedulers (lr after construction then after each of 12 steps), base lr 0.1")
def sched(name, make, n=12, metrics=None):
    p = torch.zeros(1, requires_grad=True); opt = O.SGD([p], lr=0.1); s = make(opt)
    lrs = [opt.param_groups[0]['lr']]
    for i in range(n):
        opt.step()
        if metrics is None: s.step()
        else: s.step(metrics[i])
        lrs.append(opt.param_groups[0]['lr'])
    print(name, "{" + ", ".join("%.17g" % v for v in lrs) + "}")
S = O.lr_scheduler
sched("step", lambda o: S.StepLR(o, 3, 0.5))
sched("multistep", lambda o: S.MultiStepLR(o, [2,5,9], 0.3))
sched("exponential", lambda o: S.ExponentialLR(o, 0.9))
sched("cosine", lambda o: S.CosineAnnealingLR(o, 10, 0.001))
sched("warm_restarts", lambda o: S.CosineAnnealingWarmRestarts(o, 3, 2, 0.01))
sched("linear", lambda o: S.LinearLR(o, 0.25, 1.0, 4))
sched("onecycle", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=12, cycle_momentum=False), n=11)
sched("onecycle_linear_3phase", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=12, anneal_strategy='linear', three_phase=True, pct_start=0.25, cycle_momentum=False), n=11)
sched("plateau", lambda o: S.ReduceLROnPlateau(o, patience=2, cooldown=1, factor=0.5, min_lr=0.02),
      metrics=[1.0,0.9,0.95,0.93,0.92,0.91,0.9,0.9,0.8,0.85,0.86,0.87])
print("== clip")
g1 = torch.tensor([3.0,-4.0]); g2 = torch.tensor([12.0])
p1 = torch.zeros(2, requires_grad=True); p2 = torch.zeros(1, requires_grad=True); p1.grad = g1.clone(); p2.grad = g2.clone()
tn = torch.nn.utils.clip_grad_norm_([p1,p2], 6.5); print("clip_norm", float(tn), f(p1.grad), f(p2.grad))
print("== gains", torch.nn.init.calculate_gain('leaky_relu', 0.2), torch.nn.init.calculate_gain('tanh'), torch.nn.init.calculate_gain('selu'))

print("== mlp: Linear(4,5)-Tanh-Linear(5,3), weights w[i]=0.3*sin(1.7*i+k), x[i]=cos(0.9*i), 3 Adam(lr=0.05) steps on CE(label_smoothing=0.1)")
def fill(t, k):
    with torch.no_grad():
        flat = t.view(-1)
        for i in range(flat.numel()): flat[i] = 0.3 * math.sin(1.7 * i + k)
m = torch.nn.Sequential(torch.nn.Linear(4,5), torch.nn.Tanh(), torch.nn.Linear(5,3))
for k, (n, p) in enumerate(m.named_parameters()): fill(p, k)
x = torch.tensor([math.cos(0.9 * i) for i in range(24)], dtype=torch.float32).view(6, 4)
yy = torch.tensor([0, 2, 1, 1, 0, 2])
opt = torch.optim.Adam(m.parameters(), lr=0.05)
ce = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
for s in range(3):
    opt.zero_grad(); l = ce(m(x), yy); l.backward(); opt.step(); print("loss", s, "%.9g" % l.item())
for n, p in m.named_parameters(): print(n, f(p))
