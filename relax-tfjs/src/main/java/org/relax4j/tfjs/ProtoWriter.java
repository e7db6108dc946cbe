package org.relax4j.tfjs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal protocol-buffers encoder: enough of the wire format to write ONNX models.
 *
 * <p>Wire types used: 0 (varint: int32, int64, enums), 2 (length-delimited: strings, bytes, embedded messages,
 * packed repeated fields) and 5 (fixed32: float). A field key is {@code (field_number << 3) | wire_type}, written
 * as a varint; a negative int64 is written as its 64-bit two's complement (ten bytes). An embedded message is
 * written whole into its own writer first, so that its length is known.
 *
 * <p>Public for relax-onnx's model edits, which copy the fields they keep with {@link #raw} and write the rest
 * through this class. Not thread safe.
 */
public final class ProtoWriter {
    /** Wire type of varints. */
    public static final int VARINT = 0;
    /** Wire type of 32-bit values. */
    public static final int FIXED32 = 5;
    /** Wire type of strings, bytes, messages and packed fields. */
    public static final int LENGTH_DELIMITED = 2;

    private byte[] buf;
    private int size;

    /** An empty writer. */
    public ProtoWriter() {
        this(64);
    }

    ProtoWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    /** Number of bytes written so far. */
    int size() {
        return size;
    }

    /** {@return a copy of the bytes written} */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    ProtoWriter int64(int field, long value) {
        key(field, VARINT);
        varint(value);
        return this;
    }

    ProtoWriter float32(int field, float value) {
        key(field, FIXED32);
        fixed32(Float.floatToRawIntBits(value));
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a length-delimited field.
     *
     * @param field the field number
     * @param value the bytes
     * @return this
     */
    public ProtoWriter bytes(int field, byte[] value) {
        return bytes(field, value, 0, value.length);
    }

    ProtoWriter bytes(int field, byte[] value, int offset, int length) {
        key(field, LENGTH_DELIMITED);
        varint(length);
        ensure(length);
        System.arraycopy(value, offset, buf, size, length);
        size += length;
        return this;
    }

    /**
     * Writes an embedded message.
     *
     * @param field the field number
     * @param message the message
     * @return this
     */
    public ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.buf, 0, message.size);
    }

    /** Writes a packed repeated varint field (proto3 default, accepted by proto2 parsers for repeated scalars). */
    ProtoWriter packedInt64(int field, long[] values) {
        ProtoWriter packed = new ProtoWriter(values.length * 2);
        for (long v : values) {
            packed.varint(v);
        }
        return message(field, packed);
    }

    /** Writes a packed repeated float field. */
    ProtoWriter packedFloat(int field, float[] values) {
        ProtoWriter packed = new ProtoWriter(values.length * 4);
        for (float v : values) {
            packed.fixed32(Float.floatToRawIntBits(v));
        }
        return message(field, packed);
    }

    /**
     * Copies bytes already in wire format (a whole field read elsewhere, key included).
     *
     * @param wire the bytes
     * @param offset the first
     * @param length how many
     * @return this
     */
    public ProtoWriter raw(byte[] wire, int offset, int length) {
        ensure(length);
        System.arraycopy(wire, offset, buf, size, length);
        size += length;
        return this;
    }

    void key(int field, int wireType) {
        if (field <= 0) {
            throw new IllegalArgumentException("field number must be positive, got " + field);
        }
        varint(((long) field << 3) | wireType);
    }

    /** Base-128 varint, least significant group first, high bit set on all but the last byte. */
    void varint(long value) {
        ensure(10);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    void fixed32(int value) {
        ensure(4);
        buf[size++] = (byte) value;
        buf[size++] = (byte) (value >>> 8);
        buf[size++] = (byte) (value >>> 16);
        buf[size++] = (byte) (value >>> 24);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + more);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("protobuf message larger than 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }
}
