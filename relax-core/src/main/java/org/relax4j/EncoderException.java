package org.relax4j;

/**
 * The encoder failed, or returned something RELAX cannot use: the wrong number of rows or columns, NaN or
 * infinite values, or a zero-norm representation of the unmasked input (the message names the batch); or its
 * outputs made the maps meaningless (every masked input equally similar, or similarities that overflow the maps).
 */
public class EncoderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong
     */
    public EncoderException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong
     * @param cause the encoder's exception
     */
    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}
