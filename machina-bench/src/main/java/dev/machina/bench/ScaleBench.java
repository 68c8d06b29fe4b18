package dev.machina.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.TensorDataset;
import dev.machina.data.TrainTest;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.tensor.Rng;
import dev.machina.train.History;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * `machina bench scale`: how the time of a training epoch grows with the hidden size (128…2048,
 * batch 64) and with the batch size (16…1024, hidden 256) for Machina and PyTorch, on the first N
 * Fashion-MNIST images, as a table and a PNG (one warm-up epoch, then one measured, per point).
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Epoch time against hidden size and batch size, Machina and PyTorch, as a table and a plot.")
final class ScaleBench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", description = "Fashion-MNIST directory (default: where `datasets list` finds it).")
    Path data;

    @Option(names = "--examples", defaultValue = "10000", description = "Training images per epoch (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--threads", defaultValue = "2", description = "Threads on both sides (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--plot", defaultValue = "docs/scale.png", description = "Where the plot goes (default: ${DEFAULT-VALUE}).")
    Path plot;

    @Option(names = "--python", description = "A python that imports torch (default: /usr/bin/python3, then python3).")
    String python;

    @Option(names = "--openblas-coretype", paramLabel = "NAME", defaultValue = "auto",
            description = "OpenBLAS's core type for PyTorch: auto (the fastest correct one, as `bench e2e`), env, or a name (default: ${DEFAULT-VALUE}).")
    String openblasCoretype;

    static final int[] HIDDEN = {128, 256, 512, 1024, 2048}, BATCH = {16, 32, 64, 128, 256, 512, 1024};

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (examples < 64) throw new UserError("--examples must be at least 64, got " + examples);
        Path dir = data != null ? data : Path.of("/usr/share/datasets/fashion-mnist");
        TrainTest tt = E2eWorker.load(E2eWorker.Settings.defaults().with("data", dir));
        int n = Math.min(examples, tt.train().size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        TensorDataset train = tt.train().subset(idx);
        List<int[]> configs = new ArrayList<>();
        for (int h : HIDDEN) configs.add(new int[] {h, 64});
        for (int b : BATCH) if (b != 64) configs.add(new int[] {256, b});
        Parallel.setThreads(threads);
        double[] machina = new double[configs.size()];
        epoch(train, 256, 64); // warm the JIT up once before the first measured point
        for (int i = 0; i < configs.size(); i++) {
            machina[i] = epoch(train, configs.get(i)[0], configs.get(i)[1]);
            out.printf(Locale.ROOT, "machina hidden %4d batch %4d: %.3f s%n", configs.get(i)[0], configs.get(i)[1], machina[i]);
            out.flush();
        }
        double[] torch = new double[configs.size()];
        java.util.Arrays.fill(torch, Double.NaN);
        E2eBench.TorchProbe probe = E2eBench.findTorch(python);
        String coreName = null;
        if (probe.ok()) {
            String blasWarning = E2eBench.blasWarning(probe.blas());
            if (blasWarning != null) out.println("warning: " + blasWarning);
            StringBuilder cs = new StringBuilder();
            for (int[] c : configs) cs.append(cs.length() == 0 ? "" : ",").append(c[0]).append(':').append(c[1]);
            Path script = Path.of("bench", "torch_scale.py").toAbsolutePath();
            E2eBench.CoreType core = E2eBench.chooseCoreType(openblasCoretype, probe, script.getParent().resolve("openblas_coretype.py"),
                    threads, 600);
            out.println("PyTorch: " + core.line());
            out.flush();
            coreName = core.name();
            E2eBench.ProcessResult r = E2eBench.exec(List.of(probe.python(), script.toString(), "--data", dir.toString(),
                    "--threads", Integer.toString(threads), "--examples", Integer.toString(n), "--configs", cs.toString()),
                    core.applyTo(java.util.Map.of()), 3600);
            if (r.exitCode() != 0) throw new IllegalStateException("torch_scale.py failed: " + r.stderr());
            JsonNode t = new ObjectMapper().readTree(r.stdout().lines().reduce((a, b) -> b).orElse("{}")).path("times");
            for (int i = 0; i < t.size() && i < torch.length; i++) torch[i] = t.get(i).get(2).asDouble();
        } else {
            out.println("PyTorch comparison skipped: " + probe.failure() + "; " + E2eBench.TORCH_INSTALL_HINT + ".");
        }
        out.printf("%n| hidden | batch | Machina s/epoch | PyTorch s/epoch%s | Machina/PyTorch |%n|---:|---:|---:|---:|---:|%n",
                coreName == null ? "" : " (OpenBLAS " + coreName + ")");
        for (int i = 0; i < configs.size(); i++) {
            out.printf(Locale.ROOT, "| %d | %d | %.3f | %.3f | %.3f |%n", configs.get(i)[0], configs.get(i)[1], machina[i], torch[i], machina[i] / torch[i]);
        }
        writePlot(configs, machina, torch);
        out.println("plot written to " + plot);
        return 0;
    }

    private static double epoch(TensorDataset train, int hidden, int batch) {
        Rng rng = new Rng(0);
        Module m = new Sequential(new Linear(784, hidden, true, rng), new ReLU(), new Dropout(0.2), new Linear(hidden, hidden / 2, true, rng),
                new ReLU(), new Dropout(0.2), new Linear(hidden / 2, 10, true, rng));
        History h = E2eWorker.train(m, train, batch, 2, 0); // the e2e recipe: one warm-up epoch, one measured
        return h.get("epoch_time_s")[1];
    }

    private void writePlot(List<int[]> configs, double[] machina, double[] torch) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart byHidden = chart("epoch time vs hidden size (batch 64)", "hidden size H (784-H-H/2-10)");
        XYChart byBatch = chart("epoch time vs batch size (hidden 256)", "batch size");
        List<Double> hx = new ArrayList<>(), hm = new ArrayList<>(), ht = new ArrayList<>(), bx = new ArrayList<>(), bm = new ArrayList<>(), bt = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            int[] c = configs.get(i);
            if (c[1] == 64) {
                hx.add((double) c[0]);
                hm.add(machina[i]);
                ht.add(torch[i]);
            }
            if (c[0] == 256) {
                bx.add((double) c[1]);
                bm.add(machina[i]);
                bt.add(torch[i]);
            }
        }
        sortBy(bx, bm, bt);
        byHidden.addSeries("Machina", hx, hm);
        byBatch.addSeries("Machina", bx, bm);
        if (!Double.isNaN(torch[0])) {
            byHidden.addSeries("PyTorch", hx, ht);
            byBatch.addSeries("PyTorch", bx, bt);
        }
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1400, 520, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        byHidden.paint(g, 700, 520);
        g.translate(700, 0);
        byBatch.paint(g, 700, 520);
        g.dispose();
        if (plot.toAbsolutePath().getParent() != null) Files.createDirectories(plot.toAbsolutePath().getParent());
        javax.imageio.ImageIO.write(img, "png", plot.toFile());
    }

    private static void sortBy(List<Double> x, List<Double> a, List<Double> b) {
        Integer[] order = new Integer[x.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (i, j) -> Double.compare(x.get(i), x.get(j)));
        List<Double> x2 = new ArrayList<>(), a2 = new ArrayList<>(), b2 = new ArrayList<>();
        for (int i : order) {
            x2.add(x.get(i));
            a2.add(a.get(i));
            b2.add(b.get(i));
        }
        x.clear(); x.addAll(x2); a.clear(); a.addAll(a2); b.clear(); b.addAll(b2);
    }

    private static XYChart chart(String title, String xTitle) {
        XYChart c = new XYChartBuilder().width(700).height(520).title(title).xAxisTitle(xTitle).yAxisTitle("seconds per epoch").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        return c;
    }
}
