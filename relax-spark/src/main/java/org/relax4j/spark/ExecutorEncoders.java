package org.relax4j.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputBatch;

/**
 * The encoders of one executor JVM: one per distinct {@link EncoderFactory} (distinct by serialised form), opened
 * lazily by the first task that needs it, shared by every later task and partition on that executor, and closed
 * when the JVM ends (a shutdown hook) or by {@link #closeAll()}.
 *
 * <p>The shared encoder is {@linkplain Shared synchronised}: tasks running at once on one executor take turns
 * on it, and each call's output is copied inside the lock, since an {@link Encoder} may reuse its output array
 * between calls. With one task slot per core and the encoder's own threads set to the executor's cores, the
 * encoder keeps the cores busy while the other task renders masks and accumulates.
 *
 * <p>A JVM-wide registry is what "one encoder per executor" means: Spark gives no per-executor object with a
 * lifecycle to hang it on. Thread safe.
 */
public final class ExecutorEncoders {
    private static final Map<String, Shared> OPEN = new ConcurrentHashMap<>();
    private static volatile boolean hooked;

    private ExecutorEncoders() {
    }

    /**
     * The key under which a factory's encoder is kept: SHA-256 of its serialised form.
     *
     * @throws IllegalArgumentException if the factory is not serialisable (it could not travel to executors)
     */
    public static String key(EncoderFactory factory) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        } catch (IOException e) {
            throw new IllegalArgumentException("encoder factory " + factory.getClass().getName()
                    + " is not serialisable, so it cannot travel to executors: " + e, e);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The executor's encoder for {@code factory}, opening it on first use.
     *
     * @param key {@link #key(EncoderFactory)} of the factory, computed once on the driver
     * @param threads threads for the encoder if it is opened now
     * @throws IllegalStateException wrapping the factory's exception if the encoder cannot be opened (a later call
     *         tries again)
     */
    public static Encoder get(EncoderFactory factory, String key, int threads) {
        hook();
        return OPEN.computeIfAbsent(key, k -> {
            try {
                return new Shared(factory.open(threads));
            } catch (Exception e) {
                throw new IllegalStateException("could not open the encoder (" + factory.describe() + "): " + e, e);
            }
        });
    }

    /** How many encoders this JVM holds open (for tests and logs). */
    public static int openCount() {
        return OPEN.size();
    }

    /** Closes every encoder this JVM holds. A later {@link #get} opens a new one. */
    public static void closeAll() {
        for (String k : OPEN.keySet()) {
            Shared s = OPEN.remove(k);
            if (s != null) {
                s.close();
            }
        }
    }

    private static void hook() {
        if (!hooked) {
            synchronized (ExecutorEncoders.class) {
                if (!hooked) {
                    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorEncoders::closeAll, "relax-close-encoders"));
                    hooked = true;
                }
            }
        }
    }

    /** One encoder shared by the tasks of an executor: calls take turns, outputs are copied inside the lock. */
    static final class Shared implements Encoder, AutoCloseable {
        private final Encoder delegate;
        private boolean closed;

        Shared(Encoder delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized Embeddings encode(InputBatch batch) {
            if (closed) {
                throw new IllegalStateException("the executor's encoder was closed");
            }
            Embeddings e = delegate.encode(batch);
            return e == null ? null : new Embeddings(e.rows(), e.dim(), e.data().clone());
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (delegate instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new UncheckedIOException(new IOException("closing the encoder failed: " + e, e));
                }
            }
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
