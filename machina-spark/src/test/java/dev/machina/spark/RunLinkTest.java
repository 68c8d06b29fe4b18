package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.experiment.TrialOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLinkTest {
    static byte[] runWith(Path tmp, String name, String metrics) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("metrics.jsonl"), metrics);
        Files.createDirectories(d.resolve("checkpoints"));
        Files.writeString(d.resolve("checkpoints/last.safetensors"), name);
        Files.writeString(d.resolve(".lock"), "");
        return TrialOutcome.pack(d);
    }

    @Test
    void archivesArriveInOrderAndTheFinalOneWinsOverLateOnes(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("driver-run"));
        byte[] e1 = runWith(tmp, "e1", "epoch 1\n"), e2 = runWith(tmp, "e2", "epoch 1\nepoch 2\n"), last = runWith(tmp, "end", "all\n");
        try (RunLink link = new RunLink("127.0.0.1", run)) {
            try (RunLink.Sender s = new RunLink.Sender(link.host(), link.port(), link.token())) {
                s.send(e1);
                s.send(e2);
            }
            try (RunLink.Sender intruder = new RunLink.Sender(link.host(), link.port(), link.token() + 1)) {
                intruder.send(runWith(tmp, "bad", "forged\n"));
            }
            link.drainThenUnpack(last);
        }
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).isEqualTo("all\n");
        assertThat(Files.readString(run.resolve("checkpoints/last.safetensors"))).isEqualTo("end");
        assertThat(run.resolve(".lock")).doesNotExist();
        try (var s = Files.list(run)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incoming"));
        }
    }

    @Test
    void anEntryOutsideTheRunIsRefused(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            z.putNextEntry(new ZipEntry("../escape.txt"));
            z.write(1);
            z.closeEntry();
        }
        Path run = Files.createDirectories(tmp.resolve("run"));
        assertThatThrownBy(() -> RunLink.unpackOver(b.toByteArray(), run)).hasMessageContaining("outside the run directory");
        assertThat(tmp.resolve("escape.txt")).doesNotExist();
    }
}
