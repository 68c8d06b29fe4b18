package dev.machina.report;

/**
 * Charts are drawn off-screen: AWT must not look for a display. And text is laid out by the
 * JDK's HarfBuzz through JNI rather than its Foreign Function binding (JDK 23+,
 * {@code sun.font.layout.ffm}): the same shaping and the same pixels, without the method
 * handles and stub classes the binding generates on first use, which cost a short run about
 * 0.3 s of processor time (a user's own setting of either property is kept).
 */
final class Headless {
    private Headless() {}

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        if (System.getProperty("sun.font.layout.ffm") == null) System.setProperty("sun.font.layout.ffm", "false");
    }
}
