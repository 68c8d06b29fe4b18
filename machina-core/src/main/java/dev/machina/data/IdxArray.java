package dev.machina.data;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The content of an IDX file: its element type, its dimensions (any rank) and the raw
 * big-endian payload, with conversions to float and int arrays.
 *
 * @param source  the file it was read from, for messages
 * @param type    the element type
 * @param dims    the dimensions, outermost first
 * @param payload the elements, big-endian, {@code prod(dims) * type.bytes} bytes
 */
public record IdxArray(String source, IdxType type, int[] dims, byte[] payload) {
    /** Number of elements. */
    public int elementCount() {
        return payload.length / type.bytes;
    }

    /** The elements as floats (int values above 2^24 lose precision, doubles are rounded). */
    public float[] toFloats() {
        int n = elementCount();
        float[] out = new float[n];
        byte[] p = payload;
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = p[i] & 0xFF; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = p[i]; }
            case SHORT -> { var b = buffer().asShortBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case INT -> { var b = buffer().asIntBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case FLOAT -> buffer().asFloatBuffer().get(out);
            case DOUBLE -> { var b = buffer().asDoubleBuffer(); for (int i = 0; i < n; i++) out[i] = (float) b.get(i); }
        }
        return out;
    }

    /** The elements as ints; for float and double types every value must be a whole number. */
    public int[] toInts() {
        int n = elementCount();
        int[] out = new int[n];
        byte[] p = payload;
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = p[i] & 0xFF; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = p[i]; }
            case SHORT -> { var b = buffer().asShortBuffer(); for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case INT -> buffer().asIntBuffer().get(out);
            case FLOAT, DOUBLE -> {
                var b = buffer();
                for (int i = 0; i < n; i++) {
                    double v = type == IdxType.FLOAT ? b.getFloat(i * 4) : b.getDouble(i * 8);
                    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                        throw new DataFormatException(source, "element " + i + " is " + v + ", expected a whole number (reading " + type + " values as integers)");
                    }
                    out[i] = (int) v;
                }
            }
        }
        return out;
    }

    /** The elements as a tensor of shape {@link #dims()} (tensors have rank at most 4). */
    public Tensor toTensor() {
        return Tensor.of(toFloats(), dims.clone());
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(payload).order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public String toString() {
        return "IdxArray[" + source + ", " + type + " " + Shape.str(dims) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray a && type == a.type && Arrays.equals(dims, a.dims) && Arrays.equals(payload, a.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(dims)) + Arrays.hashCode(payload);
    }
}
