package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.run.RunDirectory;
import dev.machina.train.GradientSync;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetupTest {
    /**
     * A spec run writes its files behind training; a data-parallel worker does not: what runs
     * after its recorder (Spark's worker 0 packs the run directory) reads the files at once.
     */
    @Test
    void aSpecRunWritesBehindButADataParallelWorkerWritesAtOnce(@TempDir Path dir) throws Exception {
        Experiment e = Experiment.parse("d.yaml", "name: d\ndata: {dataset: digits}\nmodel: [{linear: 10}]\ntraining: {epochs: 1}\n", List.of());
        Prepared data = Prepared.of(e);
        GradientSync alone = new GradientSync() {
            @Override public int rank() { return 0; }
            @Override public int size() { return 1; }
            @Override public void allReduce(float[] values) {}
        };
        Setup single = Setup.of(e, data, RunDirectory.create(dir, "single"));
        Setup worker = Setup.of(e, data, RunDirectory.create(dir, "worker"), alone);
        assertThat(single.config(List.of(), null).writeBehind()).isTrue();
        assertThat(worker.config(List.of(), null).writeBehind()).isFalse();
    }
}
