package dev.machina.spark;

import dev.machina.experiment.TrialExecutor;
import dev.machina.experiment.TrialTask;
import dev.machina.train.callbacks.Pruner;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The connection between a trial trained on an executor and its sweep on the driver: a small
 * TCP protocol that carries the trial's start, its objective after every epoch (to the live
 * display and the sweep's one pruner, which stays on the driver) and the pruner's answer back.
 * So ASHA and the median rule decide exactly as in a local asynchronous sweep, each report
 * answered at once from everything reported so far. A connection opens with the sweep's random
 * token and a trial number; anything else is closed unanswered.
 *
 * <p>Messages (big-endian, {@link DataOutputStream}): {@code B} → boolean may-start;
 * {@code S epochs:int}; {@code E epoch:int value:double} → boolean prune, UTF reason, boolean
 * stopping.
 */
final class SweepLink implements AutoCloseable {
    private final ServerSocket server;
    private final Map<Integer, TrialExecutor.Remote> trials;
    private final String host, token;
    private final Thread acceptor;

    /** Listens on {@code host} (an address the executors reach the driver at) on a free port. */
    SweepLink(String host, Map<Integer, TrialExecutor.Remote> trials) throws IOException {
        this.trials = trials;
        this.host = host;
        byte[] t = new byte[16];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + host + " for the sweep's executors: " + e.getMessage(), e);
        }
        this.server = s;
        acceptor = Thread.ofPlatform().daemon().name("machina-sweep-link").start(this::accept);
    }

    String host() {
        return host;
    }

    int port() {
        return server.getLocalPort();
    }

    String token() {
        return token;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Thread.ofVirtual().name("machina-sweep-link-conn").start(() -> serve(c));
            } catch (IOException e) {
                if (server.isClosed()) return;
            }
        }
    }

    private void serve(Socket c) {
        try (c; DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream()));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(c.getOutputStream()))) {
            c.setSoTimeout(30_000);
            if (!token.equals(in.readUTF())) return;
            TrialExecutor.Remote r = trials.get(in.readInt());
            if (r == null) return;
            c.setSoTimeout(0); // an epoch may take long
            while (true) {
                int op;
                try {
                    op = in.readByte();
                } catch (EOFException end) {
                    return;
                }
                switch (op) {
                    case 'B' -> out.writeBoolean(r.begin());
                    case 'S' -> r.started(in.readInt());
                    case 'E' -> {
                        Pruner.Decision d = r.report(in.readInt(), in.readDouble());
                        out.writeBoolean(d.prune());
                        out.writeUTF(d.reason());
                        out.writeBoolean(r.stopping());
                    }
                    default -> {
                        return;
                    }
                }
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the executor went away (its task is retried or reported failed by Spark)
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** The executor's end: one connection per trial task. */
    static final class Client implements TrialTask.Link, AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private final String where;
        private volatile boolean stopping;

        Client(String host, int port, String token, int trial) {
            where = host + ":" + port;
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), 30_000);
                s.setTcpNoDelay(true);
                socket = s;
                in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                out.writeUTF(token);
                out.writeInt(trial);
                out.flush();
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the connection failed anyway
                }
                throw lost(e);
            }
        }

        private UncheckedIOException lost(IOException e) {
            return new UncheckedIOException("cannot reach the sweep's driver at " + where + " (progress and pruning): " + e.getMessage(), e);
        }

        boolean begin() {
            try {
                out.writeByte('B');
                out.flush();
                return in.readBoolean();
            } catch (IOException e) {
                throw lost(e);
            }
        }

        @Override
        public void started(int epochs) {
            try {
                out.writeByte('S');
                out.writeInt(epochs);
                out.flush();
            } catch (IOException e) {
                throw lost(e);
            }
        }

        @Override
        public Pruner.Decision report(int epoch, double value) {
            try {
                out.writeByte('E');
                out.writeInt(epoch);
                out.writeDouble(value);
                out.flush();
                boolean prune = in.readBoolean();
                String reason = in.readUTF();
                stopping = in.readBoolean();
                return prune ? Pruner.Decision.prune(reason) : Pruner.Decision.CONTINUE;
            } catch (IOException e) {
                throw lost(e);
            }
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (SocketException ignored) {
                // already closed
            } catch (IOException ignored) {
                // nothing left to say
            }
        }
    }
}
