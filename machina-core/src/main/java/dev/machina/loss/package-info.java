/**
 * Loss functions with PyTorch's definitions and reductions: cross-entropy on logits (fused
 * log-softmax + NLL with class weights, label smoothing and ignore index), NLL, MSE, L1, BCE and
 * BCE-with-logits (stable, with pos_weight).
 */
package dev.machina.loss;
