package dev.machina.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.machina.tensor.Tensor;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-class precision, recall, F1 and support with accuracy and macro/weighted averages, printed
 * as scikit-learn's {@code classification_report} and exportable as JSON; when class
 * probabilities are given, also log-loss and one-vs-rest ROC and precision-recall curves with
 * their AUC and average precision.
 *
 * <p>Every class in {@code [0, numClasses)} gets a row, including classes absent from both
 * {@code yTrue} and {@code yPred} (their scores are 0.0 and they count in the macro average), as
 * scikit-learn does when given {@code labels=range(numClasses)}.
 */
public final class ClassificationReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> classNames;
    private final ConfusionMatrix matrix;
    private final Tensor probabilities; // null when not given
    private final int[] yTrue;
    private final int digits;

    private ClassificationReport(List<String> classNames, ConfusionMatrix matrix, int[] yTrue, Tensor probabilities, int digits) {
        this.classNames = classNames;
        this.matrix = matrix;
        this.yTrue = yTrue;
        this.probabilities = probabilities;
        this.digits = digits;
    }

    /** A report with classes named "0", "1", … up to the largest label. */
    public static ClassificationReport of(int[] yTrue, int[] yPred) {
        Checks.sameLength("ClassificationReport", yTrue, yPred);
        return of(yTrue, yPred, defaultNames(Checks.inferNumClasses(yTrue, yPred)), null);
    }

    /** A report over {@code classNames.size()} classes; label {@code c} is printed as {@code classNames.get(c)}. */
    public static ClassificationReport of(int[] yTrue, int[] yPred, List<String> classNames) {
        return of(yTrue, yPred, classNames, null);
    }

    /**
     * A report that also holds log-loss and per-class curves.
     *
     * @param classNames one name per class, or null for "0", "1", …
     * @param probabilities {@code [n, C]} class probabilities (e.g. softmax output), or null
     */
    public static ClassificationReport of(int[] yTrue, int[] yPred, List<String> classNames, Tensor probabilities) {
        Checks.sameLength("ClassificationReport", yTrue, yPred);
        int numClasses;
        if (classNames != null) numClasses = classNames.size();
        else if (probabilities != null) numClasses = Metrics.matrixColumns("ClassificationReport", probabilities, yTrue.length);
        else numClasses = Checks.inferNumClasses(yTrue, yPred);
        List<String> names = classNames != null ? List.copyOf(classNames) : defaultNames(numClasses);
        if (new java.util.HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("ClassificationReport: class names must be distinct, got " + names);
        }
        if (probabilities != null) {
            int c = Metrics.matrixColumns("ClassificationReport", probabilities, yTrue.length);
            if (c != numClasses) throw new IllegalArgumentException("ClassificationReport: " + numClasses
                    + " class names but probabilities have " + c + " columns");
        }
        return new ClassificationReport(names, ConfusionMatrix.of(yTrue, yPred, numClasses), yTrue.clone(), probabilities, 2);
    }

    private static List<String> defaultNames(int n) {
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) names.add(Integer.toString(i));
        return names;
    }

    /** The same report printing {@code digits} decimals (default 2). */
    public ClassificationReport withDigits(int digits) {
        if (digits < 0 || digits > 15) throw new IllegalArgumentException("digits must be in [0, 15], got " + digits);
        return new ClassificationReport(classNames, matrix, yTrue, probabilities, digits);
    }

    public ConfusionMatrix confusionMatrix() {
        return matrix;
    }

    public List<String> classNames() {
        return classNames;
    }

    public double accuracy() {
        return matrix.accuracy();
    }

    /** Log-loss of the probabilities, or NaN if none were given. */
    public double logLoss() {
        return probabilities == null ? Double.NaN : Metrics.logLoss(probabilities, yTrue);
    }

    /** One-vs-rest ROC curve per class; empty if no probabilities were given. */
    public List<RocCurve> rocCurves() {
        return probabilities == null ? List.of() : Curves.rocOneVsRest(yTrue, probabilities);
    }

    /** One-vs-rest precision-recall curve per class; empty if no probabilities were given. */
    public List<PrecisionRecallCurve> precisionRecallCurves() {
        return probabilities == null ? List.of() : Curves.precisionRecallOneVsRest(yTrue, probabilities);
    }

    /** The table as scikit-learn prints it: per-class rows, then accuracy, macro avg and weighted avg. */
    @Override
    public String toString() {
        String lastHeading = "weighted avg";
        int width = lastHeading.length();
        for (String n : classNames) width = Math.max(width, n.length());
        width = Math.max(width, digits);
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", width)).append(' ');
        for (String h : new String[] {"precision", "recall", "f1-score", "support"}) sb.append(' ').append(pad(h, 9));
        sb.append("\n\n");
        for (int c = 0; c < classNames.size(); c++) {
            row(sb, classNames.get(c), width, matrix.precision(c), matrix.recall(c), matrix.f1(c), matrix.support(c));
        }
        sb.append('\n');
        long total = matrix.total();
        sb.append(pad("accuracy", width)).append(' ').append(' ').append(pad("", 9)).append(' ').append(pad("", 9))
                .append(' ').append(pad(fmt(accuracy()), 9)).append(' ').append(pad(Long.toString(total), 9)).append('\n');
        row(sb, "macro avg", width, matrix.precision(Average.MACRO), matrix.recall(Average.MACRO), matrix.f1(Average.MACRO), total);
        row(sb, lastHeading, width, matrix.precision(Average.WEIGHTED), matrix.recall(Average.WEIGHTED), matrix.f1(Average.WEIGHTED), total);
        return sb.toString();
    }

    private void row(StringBuilder sb, String name, int width, double p, double r, double f, long support) {
        sb.append(pad(name, width)).append(' ');
        for (double v : new double[] {p, r, f}) sb.append(' ').append(pad(fmt(v), 9));
        sb.append(' ').append(pad(Long.toString(support), 9)).append('\n');
    }

    /** Python's {@code format(v, '.Nf')}: the exact binary value rounded half-even. */
    private String fmt(double v) {
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /**
     * The report as nested maps, ready for Jackson: keys as scikit-learn's
     * {@code classification_report(output_dict=True)} (one entry per class name with
     * "precision", "recall", "f1-score", "support"; "accuracy"; "macro avg"; "weighted avg"), plus
     * "confusion_matrix" (rows = true class) and, with probabilities, "log_loss", "roc_auc" and
     * "average_precision" (per class name, and their macro mean under "macro avg"), and "curves"
     * (per class name: "roc" {fpr, tpr, thresholds} and "pr" {precision, recall, thresholds}).
     * The +Infinity threshold of a curve's first point is written as {@code null}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int c = 0; c < classNames.size(); c++) {
            out.put(classNames.get(c), scores(matrix.precision(c), matrix.recall(c), matrix.f1(c), matrix.support(c)));
        }
        long total = matrix.total();
        out.put("accuracy", accuracy());
        out.put("macro avg", scores(matrix.precision(Average.MACRO), matrix.recall(Average.MACRO), matrix.f1(Average.MACRO), total));
        out.put("weighted avg", scores(matrix.precision(Average.WEIGHTED), matrix.recall(Average.WEIGHTED), matrix.f1(Average.WEIGHTED), total));
        out.put("confusion_matrix", matrix.counts());
        if (probabilities != null) {
            List<RocCurve> rocs = rocCurves();
            List<PrecisionRecallCurve> prs = precisionRecallCurves();
            Map<String, Object> auc = new LinkedHashMap<>();
            Map<String, Object> ap = new LinkedHashMap<>();
            Map<String, Object> curves = new LinkedHashMap<>();
            double aucSum = 0, apSum = 0;
            for (int c = 0; c < classNames.size(); c++) {
                RocCurve roc = rocs.get(c);
                PrecisionRecallCurve pr = prs.get(c);
                auc.put(classNames.get(c), roc.auc());
                ap.put(classNames.get(c), pr.averagePrecision());
                aucSum += roc.auc();
                apSum += pr.averagePrecision();
                Map<String, Object> rocMap = new LinkedHashMap<>();
                rocMap.put("fpr", roc.fpr());
                rocMap.put("tpr", roc.tpr());
                rocMap.put("thresholds", thresholds(roc.thresholds()));
                Map<String, Object> prMap = new LinkedHashMap<>();
                prMap.put("precision", pr.precision());
                prMap.put("recall", pr.recall());
                prMap.put("thresholds", thresholds(pr.thresholds()));
                Map<String, Object> both = new LinkedHashMap<>();
                both.put("roc", rocMap);
                both.put("pr", prMap);
                curves.put(classNames.get(c), both);
            }
            auc.put("macro avg", aucSum / classNames.size());
            ap.put("macro avg", apSum / classNames.size());
            out.put("log_loss", logLoss());
            out.put("roc_auc", auc);
            out.put("average_precision", ap);
            out.put("curves", curves);
        }
        return out;
    }

    private static Map<String, Object> scores(double p, double r, double f, long support) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", p);
        m.put("recall", r);
        m.put("f1-score", f);
        m.put("support", support);
        return m;
    }

    private static List<Float> thresholds(float[] t) {
        List<Float> out = new ArrayList<>(t.length);
        for (float v : t) out.add(Float.isInfinite(v) ? null : v);
        return out;
    }

    /** {@link #toMap()} as indented JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not serialise the classification report", e);
        }
    }
}
