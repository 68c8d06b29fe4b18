package dev.machina.io;

import java.nio.ByteBuffer;

/**
 * The safetensors element types with their sizes, and how each converts to float32. The
 * 8-bit float types are recognised (so their byte counts are validated) but not converted.
 */
enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

    final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    static DType parse(String name) {
        for (DType d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    boolean convertible() {
        return this != F8_E5M2 && this != F8_E4M3;
    }

    /**
     * Decodes {@code count} little-endian elements from {@code src} into {@code dst[off..]}.
     * Integers above 2^24 in magnitude round to the nearest float32.
     */
    void decode(ByteBuffer src, float[] dst, int off, int count) {
        switch (this) {
            case F32 -> src.asFloatBuffer().get(dst, off, count);
            case F64 -> { for (int i = 0; i < count; i++) dst[off + i] = (float) src.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < count; i++) dst[off + i] = Float.float16ToFloat(src.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < count; i++) dst[off + i] = Float.intBitsToFloat((src.getShort(i * 2) & 0xffff) << 16); }
            case I64 -> { for (int i = 0; i < count; i++) dst[off + i] = (float) src.getLong(i * 8); }
            case U64 -> {
                for (int i = 0; i < count; i++) {
                    long v = src.getLong(i * 8);
                    dst[off + i] = v >= 0 ? (float) v : ((float) ((v >>> 1) | (v & 1))) * 2f;
                }
            }
            case I32 -> { for (int i = 0; i < count; i++) dst[off + i] = (float) src.getInt(i * 4); }
            case U32 -> { for (int i = 0; i < count; i++) dst[off + i] = (float) (src.getInt(i * 4) & 0xffffffffL); }
            case I16 -> { for (int i = 0; i < count; i++) dst[off + i] = src.getShort(i * 2); }
            case U16 -> { for (int i = 0; i < count; i++) dst[off + i] = src.getShort(i * 2) & 0xffff; }
            case I8 -> { for (int i = 0; i < count; i++) dst[off + i] = src.get(i); }
            case U8 -> { for (int i = 0; i < count; i++) dst[off + i] = src.get(i) & 0xff; }
            case BOOL -> { for (int i = 0; i < count; i++) dst[off + i] = src.get(i) != 0 ? 1f : 0f; }
            default -> throw new IllegalStateException("no float32 conversion for " + this);
        }
    }
}
