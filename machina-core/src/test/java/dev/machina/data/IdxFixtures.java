package dev.machina.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes IDX test fixtures byte by byte, independently of the reader under test. */
final class IdxFixtures {
    private IdxFixtures() {}

    /** Header (magic + dims) followed by {@code payload}. */
    static byte[] idx(int typeCode, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.writeByte(0);
        out.writeByte(0);
        out.writeByte(typeCode);
        out.writeByte(dims.length);
        for (int d : dims) out.writeInt(d);
        out.write(payload);
        out.flush();
        return bos.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /** ubyte images [n, h, w] with pixel (i, r, c) = (i + r * w + c) % 256, and labels i % classes. */
    static void writeImageSet(Path dir, String prefix, int n, int h, int w, int classes, boolean gz) throws IOException {
        byte[] px = new byte[n * h * w];
        for (int i = 0; i < n; i++) for (int k = 0; k < h * w; k++) px[i * h * w + k] = (byte) ((i + k) % 256);
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) lb[i] = (byte) (i % classes);
        byte[] images = idx(0x08, new int[] {n, h, w}, px);
        byte[] labels = idx(0x08, new int[] {n}, lb);
        String sfx = gz ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + sfx), gz ? gzip(images) : images);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + sfx), gz ? gzip(labels) : labels);
    }
}
