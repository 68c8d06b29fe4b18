package dev.machina.spark;

import dev.machina.train.GradientSync;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A ring all-reduce over the workers' own TCP connections (as Horovod and Baidu's ring
 * all-reduce): every worker sends to the next and receives from the previous. A sum of
 * {@code n} floats over {@code N} workers is a reduce-scatter ({@code N-1} steps, each moving
 * one {@code n/N} chunk along the ring and adding it) and an all-gather ({@code N-1} steps
 * passing the finished chunks on): each worker sends and receives {@code 2(N-1)/N · n} floats
 * whatever {@code N} is.
 *
 * <p>The sums are deterministic: chunk {@code c} is always added up in ring order starting at
 * worker {@code c}, and the all-gather copies the finished bits, so every worker ends with the
 * same bits, and the same inputs give the same bits on every run.
 *
 * <p>Set-up: every worker {@link #listen}s, the addresses are exchanged once by whatever started
 * the workers (Spark's barrier {@code allGather}), then {@link #connect} joins the ring. A
 * connection carries a token naming the group, so a worker of an earlier, failed attempt cannot
 * join a later one. A peer that dies breaks its connections, and the next {@link #allReduce}
 * fails with an IOException (or after the timeout when the peer hangs).
 */
public final class RingAllReduce implements GradientSync, Closeable {
    private static final int MAGIC = 0x4d524152; // "MRAR"

    private final int rank, size;
    private final Socket toNext, fromPrev;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private byte[] sendBytes = new byte[0], recvBytes = new byte[0];
    private long calls;

    private RingAllReduce(int rank, int size, Socket toNext, Socket fromPrev) throws IOException {
        this.rank = rank;
        this.size = size;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.out = toNext == null ? null : new DataOutputStream(toNext.getOutputStream());
        this.in = fromPrev == null ? null : new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "machina-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** A listening socket on {@code host} at a free port: its address is what the other workers connect to. */
    public static ServerSocket listen(String host) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(host, 0), 8);
        return s;
    }

    /** {@code host:port} of a socket from {@link #listen}. */
    public static String address(ServerSocket s) {
        return s.getInetAddress().getHostAddress() + ":" + s.getLocalPort();
    }

    /**
     * Joins the ring: connects to worker {@code rank+1} and accepts worker {@code rank-1}'s
     * connection (both modulo the group's size) on {@code server}, which is then closed.
     *
     * @param addresses every worker's {@link #address}, in rank order
     * @param token     the same for every worker of this group and different for any other group
     * @param timeout   how long to wait for a peer, at set-up and in every exchange
     */
    public static RingAllReduce connect(int rank, List<String> addresses, ServerSocket server, long token, Duration timeout) throws IOException {
        int size = addresses.size();
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " of " + size + " workers");
        if (size == 1) {
            server.close();
            return new RingAllReduce(0, 1, null, null);
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        String next = addresses.get((rank + 1) % size);
        int colon = next.lastIndexOf(':');
        Socket toNext = new Socket();
        Socket fromPrev = null;
        try {
            toNext.setTcpNoDelay(true);
            toNext.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))), ms);
            DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
            hello.writeInt(MAGIC);
            hello.writeLong(token);
            hello.writeInt(rank);
            hello.flush();
            int expected = (rank - 1 + size) % size;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (fromPrev == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                Socket s;
                try {
                    if (left <= 0) throw new SocketTimeoutException();
                    server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("worker " + expected + " did not connect within " + timeout.toSeconds() + " s");
                }
                s.setSoTimeout(ms);
                try {
                    DataInputStream h = new DataInputStream(s.getInputStream());
                    if (h.readInt() == MAGIC && h.readLong() == token && h.readInt() == expected) {
                        s.setTcpNoDelay(true);
                        fromPrev = s;
                        continue;
                    }
                } catch (IOException e) {
                    // not one of ours (or a worker of an earlier attempt): drop it
                }
                s.close();
            }
            toNext.setSoTimeout(ms);
            return new RingAllReduce(rank, size, toNext, fromPrev);
        } catch (IOException | RuntimeException e) {
            toNext.close();
            if (fromPrev != null) fromPrev.close();
            throw e;
        } finally {
            server.close();
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void allReduce(float[] values) throws IOException {
        if (size == 1) return;
        calls++;
        int n = values.length;
        int maxChunk = (n + size - 1) / size;
        if (sendBytes.length < 12 + 4 * maxChunk) {
            sendBytes = new byte[12 + 4 * maxChunk];
            recvBytes = new byte[4 * maxChunk];
        }
        float[] recv = new float[maxChunk];
        // reduce-scatter: after step s, chunk (rank - s - 1) holds the sum of workers rank-s-1 … rank
        for (int s = 0; s < size - 1; s++) {
            int sendChunk = Math.floorMod(rank - s, size), recvChunk = Math.floorMod(rank - s - 1, size);
            exchange(values, sendChunk, recvChunk, recv, n);
            int from = lo(recvChunk, n), to = lo(recvChunk + 1, n);
            for (int i = from; i < to; i++) values[i] = recv[i - from] + values[i];
        }
        // all-gather: worker r now holds the finished chunk r+1; pass the finished chunks around
        for (int s = 0; s < size - 1; s++) {
            int sendChunk = Math.floorMod(rank + 1 - s, size), recvChunk = Math.floorMod(rank - s, size);
            exchange(values, sendChunk, recvChunk, recv, n);
            int from = lo(recvChunk, n), to = lo(recvChunk + 1, n);
            System.arraycopy(recv, 0, values, from, to - from);
        }
    }

    private int lo(int chunk, int n) {
        return (int) ((long) n * chunk / size);
    }

    /** Sends chunk {@code sendChunk} of {@code values} to the next worker while reading chunk {@code recvChunk} from the previous into {@code recv}. */
    private void exchange(float[] values, int sendChunk, int recvChunk, float[] recv, int n) throws IOException {
        int sFrom = lo(sendChunk, n), sLen = lo(sendChunk + 1, n) - sFrom;
        int rLen = lo(recvChunk + 1, n) - lo(recvChunk, n);
        ByteBuffer.wrap(sendBytes, 12, 4 * sLen).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, sFrom, sLen);
        long tag = calls;
        ByteBuffer.wrap(sendBytes, 0, 12).order(ByteOrder.BIG_ENDIAN).putLong(tag).putInt(sLen);
        Future<?> sent = sender.submit(() -> {
            out.write(sendBytes, 0, 12 + 4 * sLen); // one write: header and chunk, no copy through a buffer
            out.flush();
            return null;
        });
        long gotTag = in.readLong();
        int len = in.readInt();
        if (gotTag != tag || len != rLen) {
            throw new IOException("worker " + Math.floorMod(rank - 1, size) + " is out of step (exchange " + gotTag + " with " + len
                    + " values, expected " + tag + " with " + rLen + ")");
        }
        in.readFully(recvBytes, 0, 4 * rLen);
        ByteBuffer.wrap(recvBytes, 0, 4 * rLen).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(recv, 0, rLen);
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to worker " + (rank + 1) % size, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        if (sender != null) sender.shutdownNow();
        try {
            if (toNext != null) toNext.close();
        } finally {
            if (fromPrev != null) fromPrev.close();
        }
    }
}
