package dev.machina.nn;

/**
 * Options of a recurrent layer ({@link RNN}, {@link LSTM}, {@link GRU}), as the keyword arguments
 * of PyTorch's constructors. Start from {@link #of(int, int)} and change what differs:
 * {@code RnnConfig.of(28, 128).layers(2).bidirectional(true).dropout(0.2)}.
 *
 * <p><b>batchFirst defaults to TRUE</b>, unlike PyTorch (whose default is
 * {@code batch_first=False}): inputs and outputs are [B, T, features]. With
 * {@code batchFirst(false)} they are [T, B, features]. The states h and c are always
 * [layers·directions, B, H], as in PyTorch.
 *
 * @param inputSize     features per time step of the input (I)
 * @param hiddenSize    features of the hidden state (H)
 * @param numLayers     stacked layers; layer l &gt; 0 reads H·directions features
 * @param bias          whether the layers have bias_ih and bias_hh
 * @param batchFirst    [B, T, I] (true, the default here) or [T, B, I]
 * @param dropout       dropout probability on the output of every layer but the last, in training mode
 * @param bidirectional a second, reverse direction per layer (outputs concatenated: forward then reverse)
 */
public record RnnConfig(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                        boolean bidirectional) {

    public RnnConfig {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("input_size and hidden_size must be positive, got " + inputSize + " and " + hiddenSize);
        }
        if (numLayers <= 0) throw new IllegalArgumentException("num_layers must be positive, got " + numLayers);
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got " + dropout);
        }
    }

    /** One layer, with bias, batch first, no dropout, one direction. */
    public static RnnConfig of(int inputSize, int hiddenSize) {
        return new RnnConfig(inputSize, hiddenSize, 1, true, true, 0, false);
    }

    public RnnConfig layers(int n) {
        return new RnnConfig(inputSize, hiddenSize, n, bias, batchFirst, dropout, bidirectional);
    }

    public RnnConfig bias(boolean on) {
        return new RnnConfig(inputSize, hiddenSize, numLayers, on, batchFirst, dropout, bidirectional);
    }

    public RnnConfig batchFirst(boolean on) {
        return new RnnConfig(inputSize, hiddenSize, numLayers, bias, on, dropout, bidirectional);
    }

    public RnnConfig dropout(double p) {
        return new RnnConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional);
    }

    public RnnConfig bidirectional(boolean on) {
        return new RnnConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, on);
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }
}
