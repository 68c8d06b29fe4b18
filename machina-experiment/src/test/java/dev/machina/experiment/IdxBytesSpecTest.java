package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX images of unsigned bytes are held as bytes and scaled batch by batch: a spec trained on them
 * gives the data hash, the weights and the test results of the same pixels read as float32.
 */
class IdxBytesSpecTest {
    /** An MNIST-style set of n random 6×5 images, labels 0..2 (of the 10 digit classes): class c brightens every third pixel from c, so there is something to learn. */
    private static Path writeSet(Path dir, boolean asFloats) throws Exception {
        Files.createDirectories(dir);
        java.util.Random r = new java.util.Random(17);
        for (String part : List.of("train", "t10k")) {
            int n = part.equals("train") ? 240 : 60, f = 30;
            byte[] px = new byte[n * f];
            r.nextBytes(px);
            byte[] y = new byte[n];
            for (int i = 0; i < n; i++) {
                y[i] = (byte) (i % 3);
                for (int k = 0; k < f; k++) px[i * f + k] = (byte) ((px[i * f + k] & 0x7F) + (k % 3 == y[i] ? 128 : 0));
            }
            java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * f * (asFloats ? 4 : 1));
            img.putInt(asFloats ? 0x0D03 : 0x0803).putInt(n).putInt(6).putInt(5);
            for (byte b : px) {
                if (asFloats) img.putFloat(b & 0xFF);
                else img.put(b);
            }
            java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n).putInt(0x0801).putInt(n).put(y);
            Files.write(dir.resolve(part + "-images-idx3-ubyte"), img.array());
            Files.write(dir.resolve(part + "-labels-idx1-ubyte"), lab.array());
        }
        return dir;
    }

    private static SpecRunner.Result train(Path data, Path runs, String transform) throws Exception {
        Experiment e = Experiment.parse("idx.yaml", """
                name: idx
                seed: 3
                data: {dataset: idx, path: %s, validation: 0.2, transform: %s}
                model: [flatten, {linear: 16}, relu, {dropout: 0.1}, {linear: 10}]
                optimizer: {name: adam, lr: 0.01}
                training: {epochs: 6, batch_size: 16}
                """.formatted(data, transform), List.of());
        return SpecRunner.of(e).runsDir(runs).report(false).run();
    }

    @Test
    void bytesAndFloatsOfTheSamePixelsTrainTheSameWeights(@TempDir Path dir) throws Exception {
        Path bytes = writeSet(dir.resolve("bytes"), false), floats = writeSet(dir.resolve("floats"), true);
        Prepared pb = Prepared.of(Experiment.parse("a.yaml", "data: {dataset: idx, path: " + bytes + ", validation: 0.2}\nmodel: [flatten, {linear: 10}]\n", List.of()));
        assertThat(pb.train().holdsBytes()).isTrue();
        assertThat(pb.validation().holdsBytes()).isTrue();
        assertThat(pb.test().holdsBytes()).isTrue();
        assertThat(pb.train().byteScale()).isEqualTo(1 / 255.0);
        assertThat(pb.imageShape()).containsExactly(6, 5);
        for (String transform : List.of("scale", "standardize")) {
            SpecRunner.Result b = train(bytes, dir.resolve("runs-b-" + transform), transform);
            SpecRunner.Result f = train(floats, dir.resolve("runs-f-" + transform), transform);
            assertThat(b.setup().data().train().holdsBytes()).as(transform).isEqualTo(transform.equals("scale"));
            assertThat(f.setup().data().train().holdsBytes()).isFalse();
            assertThat(b.setup().data().identity().get("sha256_data")).as(transform).isEqualTo(f.setup().data().identity().get("sha256_data"));
            var wb = dev.machina.io.SafeTensors.read(b.dir().resolve("model.safetensors")).tensors();
            var wf = dev.machina.io.SafeTensors.read(f.dir().resolve("model.safetensors")).tensors();
            assertThat(wb.keySet()).isEqualTo(wf.keySet()).hasSize(4);
            for (String k : wb.keySet()) assertThat(wb.get(k).data()).as(transform + " " + k).isEqualTo(wf.get(k).data());
            JsonNode tb = new ObjectMapper().readTree(b.dir().resolve(RunDirectory.TEST_RESULTS).toFile());
            JsonNode tf = new ObjectMapper().readTree(f.dir().resolve(RunDirectory.TEST_RESULTS).toFile());
            assertThat(tb.path("accuracy").asDouble()).isEqualTo(tf.path("accuracy").asDouble()).isGreaterThan(0.8);
            assertThat(Files.readString(b.dir().resolve("misclassified.json"))).isEqualTo(Files.readString(f.dir().resolve("misclassified.json")));
        }
    }
}
