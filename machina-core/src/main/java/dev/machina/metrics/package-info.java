/**
 * Evaluation metrics as pure functions of labels, counts and scores, following scikit-learn's
 * definitions with 0.0 for every zero denominator: {@link dev.machina.metrics.Metrics} (accuracy,
 * top-k, balanced accuracy, Cohen's kappa, log-loss), {@link dev.machina.metrics.ConfusionMatrix}
 * (per-class and averaged precision, recall, F1), {@link dev.machina.metrics.Curves} (ROC and
 * precision-recall curves, AUC, average precision, one-vs-rest) and
 * {@link dev.machina.metrics.ClassificationReport} (scikit-learn's text table and a JSON export).
 */
package dev.machina.metrics;
