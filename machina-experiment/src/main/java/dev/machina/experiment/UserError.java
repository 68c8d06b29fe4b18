package dev.machina.experiment;

/**
 * An error in what the user gave: a spec, a file, a setting, an option. Its message is one line
 * that names the thing, where it is and what was expected; the command prints it without a stack
 * trace and exits with code 2.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
