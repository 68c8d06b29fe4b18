package dev.machina.cli;

import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import dev.machina.train.callbacks.ConsoleProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * A live progress line per epoch for terminals (batches done, running loss, samples/s, ETA),
 * redrawn in place with a carriage return at most ten times a second, then replaced by the
 * epoch's summary line. Written here rather than taken from a library: the libraries that
 * measure the terminal pull in JLine's native terminal support, and Machina ships no native code.
 */
final class ProgressBar implements Callback {
    private final PrintWriter out;
    private final int batchSize;
    private int batchesPerEpoch;
    private long epochStart, lastDraw;
    private int batches;
    private double lossSum;

    ProgressBar(PrintWriter out, int batchesPerEpoch, int batchSize) {
        this.out = out;
        this.batchesPerEpoch = batchesPerEpoch;
        this.batchSize = batchSize;
    }

    /** The number of batches an epoch has, known once the data is loaded. */
    void batchesPerEpoch(int n) {
        this.batchesPerEpoch = n;
    }

    @Override
    public void onEpochBegin(TrainContext ctx, int epoch) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        batches = 0;
        lossSum = 0;
    }

    @Override
    public void onBatchEnd(TrainContext ctx, long step, Map<String, Double> logs) {
        batches++;
        lossSum += logs.getOrDefault("loss", Double.NaN);
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && batches < batchesPerEpoch) return;
        lastDraw = now;
        double secs = (now - epochStart) / 1e9;
        double sps = batches * (double) batchSize / Math.max(secs, 1e-9);
        double eta = batches == 0 ? 0 : secs / batches * (batchesPerEpoch - batches);
        int width = 24, filled = (int) Math.round(width * (double) batches / Math.max(1, batchesPerEpoch));
        String bar = "=".repeat(Math.min(width, filled)) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] %d/%d  loss %.4f  %,.0f samples/s  ETA %.0fs   ",
                ctx.epoch() + 1, ctx.config().epochs(), bar, batches, batchesPerEpoch, lossSum / batches, sps, eta));
        out.flush();
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        out.print("\r\033[2K");
        out.println(ConsoleProgress.format(logs, ctx.config().epochs()));
        out.flush();
    }

    @Override
    public void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {
        if (batches > 0 && ctx.stopRequested()) out.println();
    }

    /** True when stdout is an interactive terminal (JDK 22+ asks Console.isTerminal; 21: a console exists). */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
