/**
 * Optimizers with PyTorch's update rules (SGD, Adam, AdamW, RMSprop, Adagrad; one static update
 * function each), parameter groups, state dicts for checkpoints, gradient clipping and an
 * explicit L2 penalty. Learning-rate schedules are in {@link dev.machina.optim.lr}.
 */
package dev.machina.optim;
