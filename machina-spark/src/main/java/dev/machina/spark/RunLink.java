package dev.machina.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * How a data-parallel run's files reach the driver, whatever filesystem the executors have:
 * worker 0 trains in a directory of its own and, after each epoch is recorded, sends the whole run
 * directory as a zip archive over a TCP connection to the driver ({@link Sender}), where
 * {@link #unpackOver} writes each file into the real run directory (each file replaced whole,
 * by a rename). The first message is a random token: a connection without it is closed.
 */
final class RunLink implements Closeable {
    private final ServerSocket server;
    private final Path runDir;
    private final long token = new SecureRandom().nextLong();
    private final Thread acceptor;
    private final java.util.List<Thread> receivers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private boolean sealed; // the final archive is written: later ones are stale (guarded by this)

    RunLink(String host, Path runDir) throws IOException {
        this.runDir = runDir;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(host, 0), 8);
        this.acceptor = new Thread(this::accept, "machina-run-link");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String host() {
        return server.getInetAddress().getHostAddress();
    }

    int port() {
        return server.getLocalPort();
    }

    long token() {
        return token;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> receive(s), "machina-run-link-in");
                t.setDaemon(true);
                receivers.add(t);
                t.start();
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void receive(Socket s) {
        try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
            s.setSoTimeout(30_000);
            if (in.readLong() != token) return;
            s.setSoTimeout(0); // worker 0 sends after each epoch, however long an epoch takes
            while (true) {
                int n = in.readInt();
                byte[] zip = new byte[n];
                in.readFully(zip);
                synchronized (this) {
                    if (!sealed) unpackOver(zip, runDir);
                }
            }
        } catch (IOException e) {
            // the worker ended (or was lost): what arrived whole is in place
        }
    }

    /**
     * Writes each file of {@code zip} (a run directory's archive) over its namesake under
     * {@code dir}: written beside it first, then renamed into place, so a reader never sees half
     * a file. Entries that would leave {@code dir} are refused; the lock file is left alone.
     */
    static void unpackOver(byte[] zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                String name = e.getName();
                Path p = root.resolve(name).normalize();
                if (name.startsWith("/") || name.contains("\\") || !p.startsWith(root) || p.equals(root)) {
                    throw new IOException("refusing archive entry '" + name + "' (outside the run directory)");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else if (!p.getFileName().toString().equals(dev.machina.run.RunDirectory.LOCK)) {
                    Files.createDirectories(p.getParent());
                    Path tmp = p.resolveSibling("." + p.getFileName() + ".incoming");
                    Files.copy((InputStream) z, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
    }

    /**
     * Waits until every connection so far has ended and its archives are written (a worker's
     * connection ends with its task), then writes {@code last} (the final archive, or null) over
     * the run directory; after a final archive, whatever still arrives is dropped, so nothing late
     * overwrites newer files.
     */
    void drainThenUnpack(byte[] last) throws IOException {
        for (Thread t : receivers) {
            try {
                t.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while receiving the run's files", e);
            }
        }
        receivers.removeIf(t -> !t.isAlive());
        if (last != null) {
            synchronized (this) {
                unpackOver(last, runDir);
                sealed = true;
            }
        }
    }

    /** Stops accepting, and drops whatever still arrives: the driver now owns the run directory. */
    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (this) {
            sealed = true;
        }
        server.close();
    }

    /** Worker 0's end: sends run directory archives to the driver. */
    static final class Sender implements Closeable {
        private final Socket socket;
        private final DataOutputStream out;

        Sender(String host, int port, long token) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 30_000);
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            out.writeLong(token);
            out.flush();
        }

        void send(byte[] zip) throws IOException {
            out.writeInt(zip.length);
            out.write(zip);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
