package dev.machina.nn;

import dev.machina.tensor.Tensor;

/**
 * What a recurrent layer's {@link RNNBase#run} returns, as the tuple of PyTorch.
 *
 * @param output the last layer's outputs at every step, [B, T, directions·H] (batch first) or
 *               [T, B, directions·H]; forward direction first, then reverse; zero at padded steps
 * @param h      final hidden state of every layer and direction, [layers·directions, B, H]
 *               (index l·directions + d; the reverse direction's final state is its state at step 0)
 * @param c      final cell state, same shape (LSTM only; null for RNN and GRU)
 */
public record RnnOutput(Tensor output, Tensor h, Tensor c) {}
