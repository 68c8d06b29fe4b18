/**
 * Neural-network modules, as {@code torch.nn}: {@link dev.machina.nn.Module} (named parameters
 * and sub-modules registered explicitly, PyTorch state-dict keys, train/eval mode, a seeded
 * generator for stochastic layers), {@link dev.machina.nn.Linear}, {@link dev.machina.nn.Sequential},
 * {@link dev.machina.nn.Flatten}, {@link dev.machina.nn.Dropout} and activations. Layers are thin:
 * the maths lives in the tensor ops.
 */
package dev.machina.nn;
