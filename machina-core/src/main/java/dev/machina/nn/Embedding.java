package dev.machina.nn;

import dev.machina.nn.init.Init;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code dim}, as
 * {@code torch.nn.Embedding}: parameter {@code weight} [numEmbeddings, dim], initialised N(0, 1).
 * With a padding index, that row is zero at initialisation and receives no gradient, so it
 * stays zero under training (unless set by hand or by a loaded state dict).
 *
 * <p>Indices come either as {@code int[][]} tokens [B, T] ({@link #forward(int[][])}, result
 * [B, T, dim]) or as a tensor of float-encoded indices of any shape S ({@link #forward(Tensor)},
 * result S + [dim]); each value must be an integer in [0, numEmbeddings) (floats hold integers
 * exactly up to 2²⁴). The index tensor receives no gradient.
 */
public final class Embedding extends Module {
    private final int numEmbeddings, dim;
    private final int paddingIdx; // −1 when none
    private final Tensor weight;

    /** Without padding index, initialised from {@link Rng#global()}. */
    public Embedding(int numEmbeddings, int dim) {
        this(numEmbeddings, dim, null, Rng.global());
    }

    /**
     * @param paddingIdx the padding row, or null for none; negative values count from the end,
     *                   as in PyTorch
     */
    public Embedding(int numEmbeddings, int dim, Integer paddingIdx, Rng rng) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be positive, got " + numEmbeddings + " and " + dim);
        }
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new IllegalArgumentException("Padding_idx must be within num_embeddings, got " + paddingIdx + " for " + numEmbeddings);
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.paddingIdx = paddingIdx == null ? -1 : (paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx);
        this.weight = registerParameter("weight", Tensor.zeros(numEmbeddings, dim));
        resetParameters(rng);
    }

    /** N(0, 1), then the padding row set to zero, as PyTorch's {@code reset_parameters()}. */
    public void resetParameters(Rng rng) {
        Init.normal(weight, 0, 1, rng);
        if (paddingIdx >= 0) java.util.Arrays.fill(weight.data(), paddingIdx * dim, (paddingIdx + 1) * dim, 0f);
    }

    public Tensor weight() {
        return weight;
    }

    /** The padding row, or −1 when there is none. */
    public int paddingIdx() {
        return paddingIdx;
    }

    /** Vectors of tokens [B, T] (rows may not be ragged): [B, T, dim]. */
    public Tensor forward(int[][] tokens) {
        int bsz = tokens.length, tLen = bsz == 0 ? 0 : tokens[0].length;
        int[] flat = new int[bsz * tLen];
        for (int b = 0; b < bsz; b++) {
            if (tokens[b].length != tLen) {
                throw inputError(what(), "token rows must have equal length: row 0 has " + tLen + ", row " + b + " has " + tokens[b].length);
            }
            System.arraycopy(tokens[b], 0, flat, b * tLen, tLen);
        }
        return lookup(flat, new int[] {bsz, tLen, dim});
    }

    /** Vectors of float-encoded indices of shape S: S + [dim]. */
    @Override
    public Tensor forward(Tensor indices) {
        if (indices.rank() > 3) throw inputError(what(), "expected indices of rank 0 to 3, got " + Shape.str(indices.shape()));
        float[] v = indices.data();
        int[] idx = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw inputError(what(), "index " + v[i] + " at position " + i + " is not an integer");
            idx[i] = (int) v[i];
        }
        int[] s = indices.shape(), os = java.util.Arrays.copyOf(s, s.length + 1);
        os[s.length] = dim;
        return lookup(idx, os);
    }

    private Tensor lookup(int[] idx, int[] outShape) {
        float[] w = weight.data();
        float[] o = new float[idx.length * dim];
        for (int i = 0; i < idx.length; i++) {
            int r = idx[i];
            if (r < 0 || r >= numEmbeddings) {
                throw new IndexOutOfBoundsException(what() + (path().isEmpty() ? "" : " at '" + path() + "'")
                        + ": index " + r + " at position " + i + " is out of range [0, " + numEmbeddings + ")");
            }
            System.arraycopy(w, r * dim, o, i * dim, dim);
        }
        return Tensor.fromOp("embedding", o, outShape, new Tensor[] {weight}, g -> {
            float[] gw = weight.gradBuffer();
            for (int i = 0; i < idx.length; i++) {
                int r = idx[i];
                if (r == paddingIdx) continue;
                for (int j = 0; j < dim; j++) gw[r * dim + j] += g[i * dim + j];
            }
        });
    }

    private String what() {
        return "Embedding(" + numEmbeddings + ", " + dim + ")";
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + dim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }
}
