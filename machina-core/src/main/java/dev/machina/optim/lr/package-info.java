/** Learning-rate schedules following {@code torch.optim.lr_scheduler}, each with a state dict. */
package dev.machina.optim.lr;
