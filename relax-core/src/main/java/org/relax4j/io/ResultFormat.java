package org.relax4j.io;

import java.io.IOException;

/**
 * One way of writing a result: NumPy arrays, PNG pictures, a JSON summary, an HTML page... A new format is one class
 * implementing this; the writers of a result (the command line, Spark, the text explainer) take their formats as a
 * list and run each in turn.
 *
 * @param <R> what is written, e.g. an image's explanation with its picture
 */
public interface ResultFormat<R> {

    /** {@return the format's short name, e.g. {@code npy}, {@code png}, {@code json}, {@code html}} */
    String name();

    /**
     * Writes this format's files of {@code result} into {@code sink}.
     *
     * @param result the result. Not modified.
     * @param sink where the files go
     * @throws IOException if a file cannot be written
     */
    void write(R result, FileSink sink) throws IOException;

    /**
     * {@return a format named {@code name} whose files {@code writer} writes}
     *
     * @param name the format's short name
     * @param writer writes a result's files of this format
     * @param <R> what is written
     */
    static <R> ResultFormat<R> of(String name, Writer<R> writer) {
        return new ResultFormat<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void write(R result, FileSink sink) throws IOException {
                writer.write(result, sink);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** The body of a format made with {@link #of}. */
    @FunctionalInterface
    interface Writer<R> {
        /** As {@link ResultFormat#write}. */
        void write(R result, FileSink sink) throws IOException;
    }
}
