package dev.machina.data;

/** A dataset download that failed or was rejected (HTTP error, checksum mismatch); nothing was saved. */
public class DatasetFetchException extends RuntimeException {
    public DatasetFetchException(String message) {
        super(message);
    }

    public DatasetFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
