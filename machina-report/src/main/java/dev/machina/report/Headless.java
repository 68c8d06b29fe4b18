package dev.machina.report;

/** Charts are drawn off-screen: AWT must not look for a display. */
final class Headless {
    private Headless() {}

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }
}
