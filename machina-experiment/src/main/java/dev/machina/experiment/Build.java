package dev.machina.experiment;

import dev.machina.data.TensorDataset;
import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.Dropout;
import dev.machina.nn.Embedding;
import dev.machina.nn.GRU;
import dev.machina.nn.LSTM;
import dev.machina.nn.LastStep;
import dev.machina.nn.RNN;
import dev.machina.nn.RNNBase;
import dev.machina.nn.RnnConfig;
import dev.machina.nn.Flatten;
import dev.machina.nn.GELU;
import dev.machina.nn.Identity;
import dev.machina.nn.LeakyReLU;
import dev.machina.nn.Linear;
import dev.machina.nn.LogSoftmax;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.nn.Sigmoid;
import dev.machina.nn.Softmax;
import dev.machina.nn.Tanh;
import dev.machina.optim.Adagrad;
import dev.machina.optim.Adam;
import dev.machina.optim.AdamW;
import dev.machina.optim.Optimizer;
import dev.machina.optim.ParamGroup;
import dev.machina.optim.RMSprop;
import dev.machina.optim.SGD;
import dev.machina.optim.lr.CosineAnnealingLR;
import dev.machina.optim.lr.CosineAnnealingWarmRestarts;
import dev.machina.optim.lr.ExponentialLR;
import dev.machina.optim.lr.LRScheduler;
import dev.machina.optim.lr.LinearLR;
import dev.machina.optim.lr.MultiStepLR;
import dev.machina.optim.lr.OneCycleLR;
import dev.machina.optim.lr.ReduceLROnPlateau;
import dev.machina.optim.lr.StepLR;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.LossFunction;
import dev.machina.train.callbacks.LrScheduleCallback;
import dev.machina.train.callbacks.Monitor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Turns a validated spec into the model, optimizer, loss and schedule it describes. */
public final class Build {
    private Build() {}

    /**
     * The model, with every layer's input size inferred from the data's feature shape. A linear
     * layer after multi-dimensional inputs gets a flatten in front of it, as a user would write.
     */
    public static Module model(Experiment e, int[] featureShape, int numClasses) {
        return model(e, featureShape, numClasses, 0, null);
    }

    /**
     * @param vocabulary the number of distinct tokens for text data (an embedding's size; 0 otherwise)
     * @param outputShape the required output per example (null: [numClasses] when numClasses > 0)
     */
    public static Module model(Experiment e, int[] featureShape, int numClasses, int vocabulary, int[] outputShape) {
        Rng rng = Rng.forStream(e.seed(), 0x496e6974L); // "Init": the weight-initialisation stream
        Sequential seq = new Sequential();
        int[] shape = featureShape.clone();
        boolean sequence = false; // once a recurrent or embedding layer ran, a linear applies per step
        int lastDirections = 0;
        String lastWhere = "model";
        for (Experiment.Layer l : e.model()) {
            Map<String, Object> a = l.args();
            switch (l.kind()) {
                case "linear" -> {
                    if (shape.length > 1 && !sequence) {
                        seq.add(new Flatten());
                        shape = new int[] {Arrays.stream(shape).reduce(1, (x, y) -> x * y)};
                    }
                    int out = (Integer) a.get("out");
                    if (out == -1) {
                        int[] w = outputShape != null ? outputShape : numClasses > 0 ? new int[] {numClasses} : null;
                        if (w == null) throw e.error(l.where(), "linear: auto needs labelled data (classes, vocabulary or targets) to size it");
                        out = w[w.length - 1];
                    }
                    seq.add(new Linear(shape[shape.length - 1], out, (Boolean) a.get("bias"), rng));
                    shape[shape.length - 1] = out;
                }
                case "flatten" -> {
                    seq.add(new Flatten());
                    shape = new int[] {Arrays.stream(shape).reduce(1, (x, y) -> x * y)};
                }
                case "relu" -> seq.add(new ReLU());
                case "leaky_relu" -> seq.add(new LeakyReLU(((Number) a.get("slope")).floatValue()));
                case "sigmoid" -> seq.add(new Sigmoid());
                case "tanh" -> seq.add(new Tanh());
                case "gelu" -> seq.add(new GELU());
                case "softmax" -> seq.add(new Softmax(-1));
                case "log_softmax" -> seq.add(new LogSoftmax(-1));
                case "identity" -> seq.add(new Identity());
                case "dropout" -> seq.add(new Dropout(((Number) a.get("p")).floatValue()));
                case "embedding" -> {
                    if (vocabulary <= 0 || shape.length != 1) {
                        throw e.error(l.where(), "an embedding needs token sequences (data.dataset: text); this data has examples of shape "
                                + Arrays.toString(shape));
                    }
                    int dim = (Integer) a.get("dim");
                    seq.add(new Embedding(vocabulary, dim, null, rng));
                    shape = new int[] {shape[0], dim};
                    sequence = true;
                }
                case "lstm", "gru", "rnn" -> {
                    if (shape.length != 2) {
                        throw e.error(l.where(), "a recurrent layer needs sequences [steps, features] per example; this data has "
                                + Arrays.toString(shape) + (shape.length == 1 ? " (for text, put an embedding first)" : ""));
                    }
                    RnnConfig c = RnnConfig.of(shape[1], (Integer) a.get("hidden")).layers((Integer) a.get("layers"))
                            .bidirectional((Boolean) a.get("bidirectional")).dropout(((Number) a.get("dropout")).doubleValue())
                            .bias((Boolean) a.getOrDefault("bias", true));
                    RNNBase r = switch (l.kind()) {
                        case "lstm" -> new LSTM(c, rng);
                        case "gru" -> new GRU(c, rng);
                        default -> new RNN(c, "relu".equals(a.get("nonlinearity")) ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH, rng);
                    };
                    seq.add(r);
                    lastDirections = c.directions();
                    shape = new int[] {shape[0], c.directions() * c.hiddenSize()};
                    sequence = true;
                }
                case "last_step" -> {
                    if (shape.length != 2 || lastDirections == 0) throw e.error(l.where(), "last_step follows a recurrent layer (lstm, gru, rnn)");
                    seq.add(new LastStep(lastDirections));
                    shape = new int[] {shape[1]};
                    sequence = false;
                }
                default -> throw new UserError(e.source().where(l.where()) + ": layer '" + l.kind()
                        + "' is not available in this version of Machina");
            }
            lastWhere = l.where();
        }
        int outDim = shape[shape.length - 1];
        int[] want = outputShape != null ? outputShape : numClasses > 0 ? new int[] {numClasses} : null;
        if (want != null && !Arrays.equals(shape, want)) {
            String hint = numClasses > 0 && shape.length == 2 && outDim == numClasses
                    ? ": add last_step after the recurrent layer to classify from its last output"
                    : ": the last linear layer should have " + want[want.length - 1] + " outputs";
            throw e.error(lastWhere, "the model's output is " + Arrays.toString(shape) + " per example but the data needs "
                    + Arrays.toString(want) + (numClasses > 0 ? " (" + numClasses + " classes)" : "") + hint);
        }
        return seq;
    }

    public static Optimizer optimizer(Experiment e, Module model) {
        Experiment.Optimizer o = e.optimizer();
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        for (var p : model.namedParameters().entrySet()) {
            if (o.noDecayOnBias() && p.getKey().endsWith("bias")) noDecay.add(p.getValue());
            else decay.add(p.getValue());
        }
        if (decay.isEmpty() && noDecay.isEmpty()) throw e.error("model", "the model has no parameters to train");
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) groups.add(ParamGroup.of(decay));
        if (!noDecay.isEmpty()) groups.add(ParamGroup.of(noDecay).withWeightDecay(0));
        return switch (o.name()) {
            case "sgd" -> new SGD(SGD.Config.lr(o.lr()).withMomentum(o.momentum()).withDampening(o.dampening())
                    .withWeightDecay(o.weightDecay()).withNesterov(o.nesterov()), groups);
            case "adam", "adamw" -> {
                Adam.Config c = Adam.Config.defaults().withLr(o.lr()).withBetas(o.beta1(), o.beta2()).withEps(o.eps())
                        .withWeightDecay(o.weightDecay()).withAmsgrad(o.amsgrad());
                yield o.name().equals("adam") ? new Adam(c, groups) : new AdamW(c, groups);
            }
            case "rmsprop" -> new RMSprop(RMSprop.Config.defaults().withLr(o.lr()).withAlpha(o.alpha()).withEps(o.eps())
                    .withWeightDecay(o.weightDecay()).withMomentum(o.momentum()).withCentered(o.centered()), groups);
            default -> new Adagrad(Adagrad.Config.defaults().withLr(o.lr()).withWeightDecay(o.weightDecay()), groups);
        };
    }

    public static LossFunction loss(Experiment e, TensorDataset train) {
        Experiment.Loss l = e.loss();
        if (e.data().dataset().equals("text")) return LossFunction.sequenceCrossEntropy();
        if (!train.isClassification()) return LossFunction.mse();
        CrossEntropyLoss ce = new CrossEntropyLoss();
        if (l.labelSmoothing() > 0) ce = ce.withLabelSmoothing(l.labelSmoothing());
        if (l.classWeights().equals("balanced")) ce = ce.withWeight(train.classWeights());
        return LossFunction.of(ce);
    }

    /** The schedule callback, or null for none. */
    public static LrScheduleCallback schedule(Experiment e, Optimizer opt, int stepsPerEpoch) {
        Experiment.Schedule s = e.schedule();
        boolean batch = s.every().equals("batch");
        int per = batch ? stepsPerEpoch : 1;
        int epochs = e.training().epochs();
        LRScheduler sch = switch (s.name()) {
            case "none" -> null;
            case "step" -> new StepLR(opt, s.stepSize() * per, s.gamma());
            case "multistep" -> new MultiStepLR(opt, s.milestones().stream().mapToInt(m -> m * per).toArray(), s.gamma());
            case "exponential" -> new ExponentialLR(opt, batch ? Math.pow(s.gamma(), 1.0 / stepsPerEpoch) : s.gamma());
            case "cosine" -> new CosineAnnealingLR(opt, s.tMax() * per, s.etaMin());
            case "cosine_restarts" -> new CosineAnnealingWarmRestarts(opt, s.t0() * per, s.tMult(), s.etaMin());
            case "warmup" -> new LinearLR(opt, s.startFactor(), 1.0, s.warmupEpochs() * per);
            case "onecycle" -> new OneCycleLR(opt, s.maxLr(), epochs * stepsPerEpoch, s.pctStart(), true, 25, 1e4, false);
            default -> null;
        };
        if (s.name().equals("plateau")) {
            Monitor m = Monitor.of(s.monitor(), "auto");
            ReduceLROnPlateau p = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Config.defaults().withMaximize(m.maximize())
                    .withFactor(s.factor()).withPatience(s.patience()));
            return new LrScheduleCallback(p, s.monitor());
        }
        if (sch == null) return null;
        return new LrScheduleCallback(sch, s.name().equals("onecycle") || batch ? LrScheduleCallback.Every.BATCH : LrScheduleCallback.Every.EPOCH);
    }
}
