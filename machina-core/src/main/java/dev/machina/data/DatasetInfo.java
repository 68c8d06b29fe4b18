package dev.machina.data;

/**
 * Where a known dataset is on this machine.
 *
 * @param name     the dataset name
 * @param location the directory or classpath resource it was found at, or {@code null}
 * @param bytes    its size on disk (sum of its files), or -1 when not found
 * @param howToGet how to get it when it is missing
 */
public record DatasetInfo(String name, String location, long bytes, String howToGet) {
    public boolean found() {
        return location != null;
    }
}
