package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** PNG files that any reader (here ImageIO's) decodes to the very pixels encoded. */
class PngTest {

    static BufferedImage random(int type, int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) img.getRaster().setSample(x, y, 0, r.nextInt(256));
                else img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    static BufferedImage decode(byte[] png) throws Exception {
        BufferedImage d = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(d).as("a PNG ImageIO reads").isNotNull();
        return d;
    }

    static void assertSameRgb(BufferedImage a, BufferedImage b, boolean alpha) {
        assertThat(b.getWidth()).isEqualTo(a.getWidth());
        assertThat(b.getHeight()).isEqualTo(a.getHeight());
        int mask = alpha ? 0xFFFFFFFF : 0x00FFFFFF;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertThat(b.getRGB(x, y) & mask).as("pixel (%d, %d)", x, y).isEqualTo(a.getRGB(x, y) & mask);
            }
        }
    }

    @Test
    void truecolourAlphaAndGreyDecodeToThePixelsEncoded() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {33, 17}}) {
            BufferedImage rgb = random(BufferedImage.TYPE_INT_RGB, size[0], size[1], 1);
            BufferedImage d = decode(Png.encode(rgb));
            assertThat(d.getColorModel().hasAlpha()).isFalse();
            assertSameRgb(rgb, d, false);

            BufferedImage argb = random(BufferedImage.TYPE_INT_ARGB, size[0], size[1], 2);
            d = decode(Png.encode(argb));
            assertThat(d.getColorModel().hasAlpha()).isTrue();
            assertSameRgb(argb, d, true);

            BufferedImage grey = random(BufferedImage.TYPE_BYTE_GRAY, size[0], size[1], 3);
            d = decode(Png.encode(grey));
            assertThat(d.getRaster().getNumBands()).isEqualTo(1);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) assertThat(d.getRaster().getSample(x, y, 0)).isEqualTo(grey.getRaster().getSample(x, y, 0));
            }
        }
    }

    @Test
    void otherTypesAndSubImagesAreWrittenAsTheyLook() throws Exception {
        BufferedImage bgr = new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        g.setColor(new Color(10, 200, 30));
        g.fillRect(0, 0, 20, 10);
        g.setColor(Color.MAGENTA);
        g.drawLine(0, 0, 19, 9);
        g.dispose();
        assertSameRgb(bgr, decode(Png.encode(bgr)), false);

        BufferedImage big = random(BufferedImage.TYPE_INT_RGB, 40, 30, 4);
        BufferedImage sub = big.getSubimage(5, 7, 20, 11); // a raster that starts inside a larger one
        assertSameRgb(sub, decode(Png.encode(sub)), false);
        BufferedImage greySub = random(BufferedImage.TYPE_BYTE_GRAY, 40, 30, 5).getSubimage(3, 2, 9, 8);
        BufferedImage d = decode(Png.encode(greySub));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 9; x++) assertThat(d.getRaster().getSample(x, y, 0)).isEqualTo(greySub.getRaster().getSample(x, y, 0));
        }
    }

    @Test
    void theFileIsSignatureHeaderDataAndEndWithTheirChecksums() {
        byte[] png = Png.encode(random(BufferedImage.TYPE_INT_RGB, 300, 2, 6));
        ByteBuffer b = ByteBuffer.wrap(png);
        byte[] sig = new byte[8];
        b.get(sig);
        assertThat(sig).containsExactly(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
        String[] expected = {"IHDR", "IDAT", "IEND"};
        for (String type : expected) {
            int len = b.getInt();
            byte[] typeAndData = new byte[4 + len];
            b.get(typeAndData);
            assertThat(new String(typeAndData, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(type);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertThat(b.getInt()).as("%s's CRC", type).isEqualTo((int) crc.getValue());
            if (type.equals("IHDR")) {
                ByteBuffer h = ByteBuffer.wrap(typeAndData, 4, 13);
                assertThat(h.getInt()).isEqualTo(300);
                assertThat(h.getInt()).isEqualTo(2);
                assertThat(new byte[] {h.get(), h.get(), h.get(), h.get(), h.get()}).containsExactly(8, 2, 0, 0, 0);
            }
        }
        assertThat(b.hasRemaining()).isFalse();
    }
}
