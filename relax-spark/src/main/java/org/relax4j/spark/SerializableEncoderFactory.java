package org.relax4j.spark;

import org.relax4j.Encoder;

/** {@link EncoderFactory#of}: ships a serialisable encoder itself. */
final class SerializableEncoderFactory implements EncoderFactory {
    private static final long serialVersionUID = 1L;

    private final Encoder encoder;

    SerializableEncoderFactory(Encoder encoder) {
        this.encoder = encoder;
    }

    @Override
    public Encoder open(int threads) {
        return encoder;
    }

    @Override
    public String describe() {
        return encoder.toString();
    }
}
