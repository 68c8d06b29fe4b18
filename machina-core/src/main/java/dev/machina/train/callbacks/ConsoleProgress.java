package dev.machina.train.callbacks;

import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Prints one line per epoch: losses, accuracies, learning rate, time and throughput. */
public final class ConsoleProgress implements Callback {
    private final Consumer<String> sink;

    public ConsoleProgress(PrintStream out) {
        this.sink = line -> {
            out.println(line);
            out.flush();
        };
    }

    public ConsoleProgress(PrintWriter out) {
        this.sink = line -> {
            out.println(line);
            out.flush();
        };
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        sink.accept(format(logs, ctx.config().epochs()));
    }

    /** "epoch  3/15  train_loss 0.4321  train_acc 0.8765  val_loss …  lr 1.0e-03  2.1s  28,500 samples/s". */
    public static String format(Map<String, Double> logs, int epochs) {
        StringBuilder sb = new StringBuilder();
        int width = String.valueOf(epochs).length();
        sb.append(String.format(Locale.ROOT, "epoch %" + width + "d/%d", logs.getOrDefault("epoch", 0.0).intValue(), epochs));
        append(sb, "train_loss", logs.get("train_loss"), "%.4f");
        append(sb, "train_acc", logs.get("train_accuracy"), "%.4f");
        append(sb, "val_loss", logs.get("val_loss"), "%.4f");
        append(sb, "val_acc", logs.get("val_accuracy"), "%.4f");
        append(sb, "lr", logs.get("lr"), "%.2e");
        Double t = logs.get("epoch_time_s"), sps = logs.get("samples_per_s");
        if (t != null) sb.append(String.format(Locale.ROOT, "  %.1fs", t));
        if (sps != null) sb.append(String.format(Locale.ROOT, "  %,.0f samples/s", sps));
        return sb.toString();
    }

    private static void append(StringBuilder sb, String name, Double v, String fmt) {
        if (v != null) sb.append("  ").append(name).append(' ').append(String.format(Locale.ROOT, fmt, v));
    }
}
