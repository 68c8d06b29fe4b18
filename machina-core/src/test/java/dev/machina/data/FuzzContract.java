package dev.machina.data;

/** What the fuzz tests ask of a rejection: an exception with a message a user can read. */
final class FuzzContract {
    private FuzzContract() {}

    static void checkMessage(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError("rejected without a message", e);
    }
}
