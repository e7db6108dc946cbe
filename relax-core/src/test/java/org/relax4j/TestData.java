package org.relax4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Test fixtures: the golden run of the PyTorch reference (a copy of shared/reference), read from the class path. */
public final class TestData {
    private TestData() {
    }

    public static byte[] resource(String name) {
        try (InputStream in = TestData.class.getResourceAsStream("/org/relax4j/reference/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource reference/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(String name) {
        ByteBuffer b = ByteBuffer.wrap(resource(name)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    public static int[] ints(String name) {
        ByteBuffer b = ByteBuffer.wrap(resource(name)).order(ByteOrder.LITTLE_ENDIAN);
        int[] f = new int[b.remaining() / 4];
        b.asIntBuffer().get(f);
        return f;
    }
}
