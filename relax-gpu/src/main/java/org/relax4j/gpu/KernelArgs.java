package org.relax4j.gpu;

import org.jocl.cl_mem;

/**
 * Binds a kernel's arguments in the order of its OpenCL C signature. Every kernel wrapper binds through this
 * interface, naming each argument as {@code relax.cl} names it, so that a test can hold the bindings against the
 * signatures in the {@code .cl} file (arity, order, names and types) without a device.
 */
interface KernelArgs {

    /** The next argument is a {@code __global} pointer; a null {@code buffer} passes a NULL pointer. */
    KernelArgs mem(String name, cl_mem buffer);

    /** The next argument is a {@code const int}. */
    KernelArgs i32(String name, int value);

    /** The next argument is a {@code const float}. */
    KernelArgs f32(String name, float value);

    /** The next argument is a {@code const ulong}. */
    KernelArgs u64(String name, long value);
}
