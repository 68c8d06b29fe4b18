/** Parameter initializers, as {@code torch.nn.init}, all drawing from a given {@link dev.machina.tensor.Rng}. */
package dev.machina.nn.init;
