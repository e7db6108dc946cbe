package org.relax4j.gpu;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Lists the OpenCL platforms and devices that the {@code opencl} engine can use, with the facts that matter to it,
 * and builds the RELAX kernels on each device.
 *
 * <pre>
 *   java -cp relax-core.jar:relax-gpu.jar:jocl.jar org.relax4j.gpu.DeviceReport [--require NAME]
 * </pre>
 * Exit status: 0 when every device builds the kernels; 1 when OpenCL has no platform or device; 3 when
 * {@code --require NAME} is given and no platform name contains NAME (case-insensitive); 4 when a build fails.
 */
public final class DeviceReport {
    private DeviceReport() {
    }

    /**
     * Prints the report and exits with the status above (2 for a usage error).
     *
     * @param args {@code --require NAME}, optionally
     */
    public static void main(String[] args) {
        String require = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--require") && i + 1 < args.length) {
                require = args[++i];
            } else {
                System.err.println("usage: DeviceReport [--require PLATFORM_NAME_PART]");
                System.exit(2);
            }
        }
        System.exit(report(System.out, require));
    }

    /** Prints the report; returns the exit status described in the class comment. */
    static int report(PrintStream out, String require) {
        List<OpenClDevices.Device> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClException e) {
            out.println("OpenCL: not usable: " + e.getMessage());
            return 1;
        }
        out.println("OpenCL devices (numbered as the opencl engine's device argument and "
                + OpenClDevices.DEVICE_ENV + " count them):");
        String previous = null;
        boolean required = require == null;
        for (OpenClDevices.Device d : devices) {
            if (!d.platformName().equals(previous)) {
                out.println("platform '" + d.platformName() + "' (" + d.platformVersion() + ")");
                previous = d.platformName();
            }
            out.println("  " + d.details());
            if (require != null && d.platformName().toLowerCase(Locale.ROOT).contains(require.toLowerCase(Locale.ROOT))) {
                required = true;
            }
        }
        try {
            out.println("default device: " + OpenClDevices.choose(null).describe()
                    + (System.getenv(OpenClDevices.DEVICE_ENV) != null
                            ? " (" + OpenClDevices.DEVICE_ENV + "=" + System.getenv(OpenClDevices.DEVICE_ENV) + ")" : ""));
        } catch (OpenClException e) {
            out.println("default device: none: " + e.getMessage());
        }
        int status = 0;
        for (OpenClDevices.Device d : devices) {
            try (OpenClBackend b = new OpenClBackend(String.valueOf(d.index()))) {
                out.println("kernels on #" + d.index() + ": built (" + b.program().buildOptions() + ")");
            } catch (OpenClException e) {
                out.println("kernels on #" + d.index() + ": FAILED: " + e.getMessage());
                status = 4;
            }
        }
        if (!required) {
            out.println("no platform name contains '" + require + "'");
            return 3;
        }
        return status;
    }
}
