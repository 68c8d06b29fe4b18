package dev.machina.run;

import dev.machina.Machina;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Parallel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where and with what a run was made: library, JVM, OS, CPU, kernels, threads, git commit. */
public final class Provenance {
    private Provenance() {}

    /** The facts of this process, as ordered key/value pairs for run.json. */
    public static Map<String, Object> capture() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machina_version", Machina.version());
        m.put("java_version", System.getProperty("java.version"));
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpu", Machina.cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("kernel_provider", KernelProvider.get().name());
        m.put("simd_bits", KernelProvider.get().vectorBits());
        m.put("threads", Parallel.threads());
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        Path cwd = Path.of("").toAbsolutePath();
        m.put("working_directory", cwd.toString());
        String commit = gitCommit(cwd);
        if (commit != null) {
            m.put("git_commit", commit);
            m.put("git_dirty", gitDirty(cwd));
        }
        return m;
    }

    /** The commit checked out in {@code dir}'s git work tree, or null when there is none (or git is absent). */
    public static String gitCommit(Path dir) {
        String out = git(dir, "rev-parse", "HEAD");
        return out != null && out.matches("[0-9a-f]{40}") ? out : null;
    }

    private static Boolean gitDirty(Path dir) {
        String out = git(dir, "status", "--porcelain", "--untracked-files=no");
        return out == null ? null : !out.isBlank();
    }

    private static String git(Path dir, String... args) {
        try {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = dir.toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] bytes = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(bytes, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SHA-256 of a file's bytes, hex. */
    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of float data and int labels (the identity of an in-memory dataset), hex. */
    public static String sha256(float[] features, int[] labels) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float f : features) {
                if (bb.remaining() < 4) {
                    md.update(bb.array(), 0, bb.position());
                    bb.clear();
                }
                bb.putFloat(f);
            }
            if (labels != null) {
                for (int l : labels) {
                    if (bb.remaining() < 4) {
                        md.update(bb.array(), 0, bb.position());
                        bb.clear();
                    }
                    bb.putInt(l);
                }
            }
            md.update(bb.array(), 0, bb.position());
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
