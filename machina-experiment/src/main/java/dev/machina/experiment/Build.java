package dev.machina.experiment;

import dev.machina.data.TensorDataset;
import dev.machina.nn.Module;
import dev.machina.optim.Optimizer;
import dev.machina.optim.ParamGroup;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.LossFunction;
import dev.machina.train.callbacks.LrScheduleCallback;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns a validated spec into the model, optimizer, loss and schedule it describes, through the registry's factories. */
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
        int[] want = outputShape != null ? outputShape : numClasses > 0 ? new int[] {numClasses} : null;
        LayerRegistry.Shape s = new LayerRegistry.Shape(featureShape, vocabulary, want, rng);
        s.experiment = e;
        s.where = "model";
        for (Experiment.Layer l : e.model()) {
            s.where = l.where();
            LayerRegistry.LAYERS.get(l.kind()).factory().add(l.args(), s);
        }
        int[] shape = s.dims;
        int outDim = shape[shape.length - 1];
        if (want != null && !Arrays.equals(shape, want)) {
            String hint = numClasses > 0 && shape.length == 2 && outDim == numClasses
                    ? ": add last_step after the recurrent layer to classify from its last output"
                    : ": the last linear layer should have " + want[want.length - 1] + " outputs";
            throw e.error(s.where, "the model's output is " + Arrays.toString(shape) + " per example but the data needs "
                    + Arrays.toString(want) + (numClasses > 0 ? " (" + numClasses + " classes)" : "") + hint);
        }
        return s.seq;
    }

    public static Optimizer optimizer(Experiment e, Module model) {
        Experiment.Part o = e.optimizer();
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        for (var p : model.namedParameters().entrySet()) {
            if (o.bool("no_decay_on_bias") && p.getKey().endsWith("bias")) noDecay.add(p.getValue());
            else decay.add(p.getValue());
        }
        if (decay.isEmpty() && noDecay.isEmpty()) throw e.error("model", "the model has no parameters to train");
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) groups.add(ParamGroup.of(decay));
        if (!noDecay.isEmpty()) groups.add(ParamGroup.of(noDecay).withWeightDecay(0));
        return OptimizerRegistry.OPTIMIZERS.get(o.name()).factory().build(o.args(), groups);
    }

    /** The spec's loss for classification data; cross-entropy per step for text; mean squared error for regression. */
    public static LossFunction loss(Experiment e, TensorDataset train) {
        if (e.data().dataset().equals("text")) return LossFunction.sequenceCrossEntropy();
        if (!train.isClassification()) return LossFunction.mse();
        return LossRegistry.LOSSES.get(e.loss().name()).factory().build(e.loss().args(), train);
    }

    /** The schedule callback, or null for none. */
    public static LrScheduleCallback schedule(Experiment e, Optimizer opt, int stepsPerEpoch) {
        Experiment.Part s = e.schedule();
        return ScheduleRegistry.SCHEDULES.get(s.name()).factory().build(s.args(),
                new ScheduleRegistry.Context(opt, stepsPerEpoch, e.training().epochs()));
    }
}
