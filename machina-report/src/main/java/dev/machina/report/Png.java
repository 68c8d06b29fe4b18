package dev.machina.report;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Images as PNG files, written directly: 8 bits a sample, greyscale for {@code TYPE_BYTE_GRAY},
 * truecolour for {@code TYPE_INT_RGB}, truecolour with alpha for {@code TYPE_INT_ARGB} (any other
 * type is drawn into one of those first); every row filtered with "Up" (each byte minus the one
 * above it: a chart's uniform areas become zeros) and compressed with zlib at its default level,
 * in one IDAT chunk. Smaller than ImageIO's PNGs of the report's charts, and written without
 * ImageIO's plug-in registry and per-row filter search, which a fresh JVM runs slowly.
 */
final class Png {
    private Png() {}

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static byte[] encode(BufferedImage img) {
        int type = img.getType();
        if (type != BufferedImage.TYPE_BYTE_GRAY && type != BufferedImage.TYPE_INT_RGB && type != BufferedImage.TYPE_INT_ARGB) {
            BufferedImage argb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = argb.createGraphics();
            g.drawImage(img, 0, 0, null);
            g.dispose();
            img = argb;
            type = BufferedImage.TYPE_INT_ARGB;
        }
        int w = img.getWidth(), h = img.getHeight();
        int channels = type == BufferedImage.TYPE_BYTE_GRAY ? 1 : type == BufferedImage.TYPE_INT_RGB ? 3 : 4;
        int rowBytes = w * channels;
        Deflater z = new Deflater();
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream idat = new ByteArrayOutputStream(rowBytes * h / 8 + 64);
        try {
            byte[] above = new byte[rowBytes], row = new byte[rowBytes], line = new byte[rowBytes + 1]; // line: the filter type (2, Up), then the row
            line[0] = 2;
            int[] argb = channels == 1 ? null : new int[w];
            int[] grey = channels == 1 ? new int[w] : null;
            Raster r = img.getRaster();
            int[] ints = intPixels(img);
            byte[] bytes = channels == 1 ? bytePixels(img) : null;
            for (int y = 0; y < h; y++) {
                if (channels == 1) {
                    if (bytes != null) System.arraycopy(bytes, y * w, row, 0, w);
                    else {
                        r.getSamples(0, y, w, 1, 0, grey);
                        for (int x = 0; x < w; x++) row[x] = (byte) grey[x];
                    }
                } else {
                    if (ints != null) System.arraycopy(ints, y * w, argb, 0, w);
                    else img.getRGB(0, y, w, 1, argb, 0, w);
                    for (int x = 0, o = 0; x < w; x++) {
                        int p = argb[x];
                        row[o++] = (byte) (p >> 16);
                        row[o++] = (byte) (p >> 8);
                        row[o++] = (byte) p;
                        if (channels == 4) row[o++] = (byte) (p >>> 24);
                    }
                }
                for (int i = 0; i < rowBytes; i++) line[i + 1] = (byte) (row[i] - above[i]);
                z.setInput(line);
                while (!z.needsInput()) idat.write(buf, 0, z.deflate(buf));
                byte[] t = above;
                above = row;
                row = t;
            }
            z.finish();
            while (!z.finished()) idat.write(buf, 0, z.deflate(buf));
        } finally {
            z.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bits a sample
        ihdr[9] = (byte) (channels == 1 ? 0 : channels == 3 ? 2 : 6); // colour type; compression, filter method and interlace are 0
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** The image's ARGB or RGB ints, a row after another with nothing between, when its raster holds them so; else null. */
    private static int[] intPixels(BufferedImage img) {
        Raster r = img.getRaster();
        if (!(r.getDataBuffer() instanceof DataBufferInt db) || !(r.getSampleModel() instanceof SinglePixelPackedSampleModel sm)) return null;
        if (db.getNumBanks() != 1 || db.getOffset() != 0 || sm.getScanlineStride() != img.getWidth() || r.getSampleModelTranslateX() != 0
                || r.getSampleModelTranslateY() != 0 || r.getParent() != null) return null;
        return db.getData();
    }

    /** The greyscale image's bytes, a row after another with nothing between, when its raster holds them so; else null. */
    private static byte[] bytePixels(BufferedImage img) {
        Raster r = img.getRaster();
        if (!(r.getDataBuffer() instanceof DataBufferByte db) || !(r.getSampleModel() instanceof ComponentSampleModel sm)) return null;
        if (db.getNumBanks() != 1 || db.getOffset() != 0 || sm.getScanlineStride() != img.getWidth() || sm.getPixelStride() != 1
                || r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0 || r.getParent() != null) return null;
        return db.getData();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] head = new byte[8];
        putInt(head, 0, data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, head, 4, 4);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] tail = new byte[4];
        putInt(tail, 0, (int) crc.getValue());
        out.writeBytes(head);
        out.writeBytes(data);
        out.writeBytes(tail);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
