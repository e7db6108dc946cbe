package org.relax4j.gpu;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_HOST_UNIFIED_MEMORY;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_OPENCL_C_VERSION;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_VERSION;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Finds OpenCL devices and picks one. Devices are numbered across all platforms in the order the ICD loader
 * lists them ({@code clinfo -l} shows the same order); {@link DeviceReport} prints the list.
 */
final class OpenClDevices {
    /** Environment variable consulted when no device is given: an index or part of a device name. */
    static final String DEVICE_ENV = "RELAX4J_OPENCL_DEVICE";

    private OpenClDevices() {
    }

    /** One device, with what the engine needs to know about it. */
    record Device(int index, cl_platform_id platform, cl_device_id id, String platformName, String platformVersion,
                  String name, long type, String version, String cVersion, String driver, long maxAllocation,
                  long globalMemory, boolean unifiedMemory, int computeUnits, boolean correctlyRoundedDivide) {

        boolean isGpu() {
            return (type & CL_DEVICE_TYPE_GPU) != 0;
        }

        String typeName() {
            List<String> t = new ArrayList<>();
            if ((type & CL_DEVICE_TYPE_GPU) != 0) {
                t.add("GPU");
            }
            if ((type & CL_DEVICE_TYPE_CPU) != 0) {
                t.add("CPU");
            }
            if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
                t.add("accelerator");
            }
            return t.isEmpty() ? "other" : String.join("+", t);
        }

        /** One line: {@code #0 GPU 'NVIDIA H100' on 'NVIDIA CUDA' (OpenCL 3.0 CUDA, driver 550.54)}. */
        String describe() {
            return "#" + index + " " + typeName() + " '" + name + "' on '" + platformName + "' (" + version
                    + ", driver " + driver + ")";
        }

        /** Several lines, for reports. */
        String details() {
            return describe() + "\n    " + cVersion + ", " + computeUnits + " compute units, global memory "
                    + mib(globalMemory) + ", largest buffer " + mib(maxAllocation) + ", host-unified memory "
                    + (unifiedMemory ? "yes" : "no") + ", correctly rounded float divide "
                    + (correctlyRoundedDivide ? "yes" : "no");
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    /**
     * Every OpenCL device on every platform.
     *
     * @throws OpenClException if JOCL cannot load, there is no platform, or the platforms have no device
     */
    static List<Device> list() {
        cl_platform_id[] platforms;
        try {
            CL.setExceptionsEnabled(true);
            int[] n = new int[1];
            clGetPlatformIDs(0, null, n);
            platforms = new cl_platform_id[n[0]];
            if (n[0] > 0) {
                clGetPlatformIDs(n[0], platforms, null);
            }
        } catch (CLException e) {
            throw new OpenClException("no OpenCL platform found (clGetPlatformIDs: " + CL.stringFor_errorCode(e.getStatus())
                    + "): install an OpenCL driver whose ICD file is in /etc/OpenCL/vendors (e.g. the GPU vendor's driver,"
                    + " or pocl-opencl-icd for CPUs)", e);
        } catch (LinkageError e) {
            throw new OpenClException("OpenCL is not usable here: JOCL's native library or libOpenCL.so could not be loaded ("
                    + e + "). JOCL loads the unversioned libOpenCL.so: install an OpenCL ICD loader with it (Debian/Ubuntu:"
                    + " ocl-icd-opencl-dev) or put a libOpenCL.so symlink to libOpenCL.so.1 on LD_LIBRARY_PATH, and a driver", e);
        }
        if (platforms.length == 0) {
            throw new OpenClException("no OpenCL platform found: install an OpenCL driver whose ICD file is in"
                    + " /etc/OpenCL/vendors (e.g. the GPU vendor's driver, or pocl-opencl-icd for CPUs)");
        }
        List<Device> devices = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            String pname = platformString(p, CL_PLATFORM_NAME);
            String pversion = platformString(p, CL_PLATFORM_VERSION);
            cl_device_id[] ids;
            try {
                int[] n = new int[1];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
                ids = new cl_device_id[n[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, n[0], ids, null);
            } catch (CLException e) {
                if (e.getStatus() != CL_DEVICE_NOT_FOUND) {
                    empty.add("'" + pname + "' (clGetDeviceIDs: " + CL.stringFor_errorCode(e.getStatus()) + ")");
                } else {
                    empty.add("'" + pname + "'");
                }
                continue;
            }
            for (cl_device_id d : ids) {
                devices.add(describe(devices.size(), p, d, pname, pversion));
            }
        }
        if (devices.isEmpty()) {
            throw new OpenClException("no OpenCL device found: the platforms " + empty + " have no devices");
        }
        return devices;
    }

    /**
     * Picks a device: by {@code choice} if given, else by the environment variable {@value #DEVICE_ENV}, else
     * the first GPU, else the first device. A choice is a device index or a case-insensitive part of
     * "platform name + device name".
     *
     * @throws OpenClException if nothing is found or the choice matches no device (listing the devices)
     */
    static Device choose(String choice) {
        String source = "device choice";
        if (choice == null || choice.isBlank()) {
            choice = System.getenv(DEVICE_ENV);
            source = "environment variable " + DEVICE_ENV;
        }
        return choose(list(), choice, source);
    }

    static Device choose(List<Device> devices, String choice, String source) {
        if (choice == null || choice.isBlank()) {
            for (Device d : devices) {
                if (d.isGpu()) {
                    return d;
                }
            }
            return devices.get(0);
        }
        String c = choice.trim();
        if (c.matches("[+-]?\\d+")) {
            long index;
            try {
                index = Long.parseLong(c);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || index >= devices.size()) {
                throw new OpenClException("OpenCL device index " + c + " (" + source + ") is out of range: there "
                        + (devices.size() == 1 ? "is 1 device" : "are " + devices.size() + " devices") + ", numbered from 0:"
                        + listing(devices));
            }
            return devices.get((int) index);
        }
        String needle = c.toLowerCase(Locale.ROOT);
        for (Device d : devices) {
            if ((d.platformName() + " " + d.name()).toLowerCase(Locale.ROOT).contains(needle)) {
                return d;
            }
        }
        throw new OpenClException("no OpenCL device matches '" + c + "' (" + source + "); give an index or part of a"
                + " platform or device name. Devices:" + listing(devices));
    }

    static String listing(List<Device> devices) {
        StringBuilder sb = new StringBuilder();
        for (Device d : devices) {
            sb.append("\n  ").append(d.describe());
        }
        return sb.toString();
    }

    @SuppressWarnings("deprecation") // CL_DEVICE_HOST_UNIFIED_MEMORY: deprecated in OpenCL 2.0, present in 1.2 and 3.0
    private static Device describe(int index, cl_platform_id p, cl_device_id d, String pname, String pversion) {
        long fp = deviceLong(d, CL_DEVICE_SINGLE_FP_CONFIG);
        return new Device(index, p, d, pname, pversion, deviceString(d, CL_DEVICE_NAME), deviceLong(d, CL_DEVICE_TYPE),
                deviceString(d, CL_DEVICE_VERSION), deviceString(d, CL_DEVICE_OPENCL_C_VERSION),
                deviceString(d, CL_DRIVER_VERSION), deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE), deviceInt(d, CL_DEVICE_HOST_UNIFIED_MEMORY) != 0,
                deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS), (fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0);
    }

    private static String platformString(cl_platform_id p, int param) {
        try {
            long[] size = new long[1];
            clGetPlatformInfo(p, param, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
            return cString(b);
        } catch (CLException e) {
            throw new OpenClException("clGetPlatformInfo(" + param + ") failed: " + CL.stringFor_errorCode(e.getStatus()), e);
        }
    }

    static String deviceString(cl_device_id d, int param) {
        try {
            long[] size = new long[1];
            clGetDeviceInfo(d, param, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
            return cString(b);
        } catch (CLException e) {
            throw new OpenClException("clGetDeviceInfo(" + param + ") failed: " + CL.stringFor_errorCode(e.getStatus()), e);
        }
    }

    static long deviceLong(cl_device_id d, int param) {
        try {
            long[] v = new long[1];
            clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
            return v[0];
        } catch (CLException e) {
            throw new OpenClException("clGetDeviceInfo(" + param + ") failed: " + CL.stringFor_errorCode(e.getStatus()), e);
        }
    }

    static int deviceInt(cl_device_id d, int param) {
        try {
            int[] v = new int[1];
            clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
            return v[0];
        } catch (CLException e) {
            throw new OpenClException("clGetDeviceInfo(" + param + ") failed: " + CL.stringFor_errorCode(e.getStatus()), e);
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
