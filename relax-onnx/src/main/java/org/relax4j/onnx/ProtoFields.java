package org.relax4j.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one protocol-buffers message as a flat list of fields, each with where its whole wire form (key included)
 * and its payload lie in the buffer: enough to find an ONNX model's nodes and initializers and to copy every field
 * an edit leaves alone byte for byte. Writing goes through relax-tfjs's {@code ProtoWriter}.
 */
final class ProtoFields {

    /**
     * One field.
     *
     * @param number the field number
     * @param wireType 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
     * @param start where the field's key starts
     * @param end where the field ends
     * @param payload where a length-delimited payload starts (else the value's first byte)
     * @param value a varint's value (else 0)
     */
    record Field(int number, int wireType, int start, int end, int payload, long value) {
        int payloadLength() {
            return end - payload;
        }
    }

    private ProtoFields() {
    }

    /** {@return the fields of the message in buf[from, to)} @throws IllegalArgumentException if it is malformed */
    static List<Field> read(byte[] buf, int from, int to) {
        List<Field> out = new ArrayList<>();
        int[] pos = {from};
        while (pos[0] < to) {
            int start = pos[0];
            long key = varint(buf, pos, to);
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            long value = 0;
            int payload;
            switch (type) {
                case 0 -> {
                    payload = pos[0];
                    value = varint(buf, pos, to);
                }
                case 1 -> {
                    payload = pos[0];
                    pos[0] += 8;
                }
                case 5 -> {
                    payload = pos[0];
                    pos[0] += 4;
                }
                case 2 -> {
                    long len = varint(buf, pos, to);
                    payload = pos[0];
                    if (len < 0 || len > to - payload) {
                        throw new IllegalArgumentException("a field of " + len + " bytes runs past its message");
                    }
                    pos[0] += (int) len;
                }
                default -> throw new IllegalArgumentException("unsupported wire type " + type + " (field "
                        + number + ")");
            }
            if (pos[0] > to || number < 1) {
                throw new IllegalArgumentException("malformed protobuf at byte " + start);
            }
            out.add(new Field(number, type, start, pos[0], payload, value));
        }
        return out;
    }

    static String string(byte[] buf, Field f) {
        return new String(buf, f.payload(), f.payloadLength(), StandardCharsets.UTF_8);
    }

    /** The values of a repeated int64 field given packed or not: appends to {@code out}. */
    static void int64s(byte[] buf, Field f, List<Long> out) {
        if (f.wireType() == 0) {
            out.add(f.value());
            return;
        }
        int[] pos = {f.payload()};
        while (pos[0] < f.end()) {
            out.add(varint(buf, pos, f.end()));
        }
    }

    private static long varint(byte[] buf, int[] pos, int to) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new IllegalArgumentException("truncated varint");
            }
            byte b = buf[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }
}
