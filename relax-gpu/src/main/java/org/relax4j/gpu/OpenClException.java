package org.relax4j.gpu;

/**
 * OpenCL could not do what was asked: no platform or device, an invalid device choice, a kernel that does not
 * build (the message then holds the driver's full build log), or an OpenCL call that failed (the message names
 * the call, the cause is JOCL's {@link org.jocl.CLException} with its status code).
 */
public class OpenClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what failed
     */
    public OpenClException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what failed
     * @param cause the underlying exception
     */
    public OpenClException(String message, Throwable cause) {
        super(message, cause);
    }
}
