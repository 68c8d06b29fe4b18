/**
 * Files: {@link dev.machina.io.AtomicFiles} (all-or-nothing writes, JSON-lines appends) and
 * {@link dev.machina.io.SafeTensors} (the safetensors format, PyTorch-compatible, with a reader
 * that validates hostile input and fails with {@link dev.machina.io.SafeTensorsFormatException}).
 */
package dev.machina.io;
