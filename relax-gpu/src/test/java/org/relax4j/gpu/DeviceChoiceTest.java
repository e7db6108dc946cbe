package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

/** How a device is chosen, on made-up device lists (no OpenCL needed). */
class DeviceChoiceTest {
    private static OpenClDevices.Device device(int index, String platform, String name, long type) {
        return new OpenClDevices.Device(index, null, null, platform, "OpenCL 3.0", name, type, "OpenCL 3.0", "OpenCL C 1.2",
                "1.0", 1L << 30, 4L << 30, false, 8, true);
    }

    private final List<OpenClDevices.Device> devices = List.of(
            device(0, "Portable Computing Language", "pthread-skylake", CL.CL_DEVICE_TYPE_CPU),
            device(1, "NVIDIA CUDA", "NVIDIA H100 80GB HBM3", CL.CL_DEVICE_TYPE_GPU),
            device(2, "Intel(R) OpenCL Graphics", "Intel(R) UHD Graphics 770", CL.CL_DEVICE_TYPE_GPU));

    @Test
    void defaultIsTheFirstGpuElseTheFirstDevice() {
        assertEquals(1, OpenClDevices.choose(devices, null, "test").index());
        assertEquals(1, OpenClDevices.choose(devices, "  ", "test").index());
        assertEquals(0, OpenClDevices.choose(devices.subList(0, 1), null, "test").index());
    }

    @Test
    void choosesByIndexOrByPartOfTheName() {
        assertEquals(2, OpenClDevices.choose(devices, "2", "test").index());
        assertEquals(0, OpenClDevices.choose(devices, " 0 ", "test").index());
        assertEquals(1, OpenClDevices.choose(devices, "h100", "test").index());
        assertEquals(1, OpenClDevices.choose(devices, "nvidia", "test").index());
        assertEquals(0, OpenClDevices.choose(devices, "PORTABLE", "test").index());
        assertEquals(2, OpenClDevices.choose(devices, "intel(r) uhd", "test").index());
    }

    @Test
    void anInvalidChoiceListsTheDevices() {
        for (String bad : new String[] {"3", "-1", "99999999999999999999"}) {
            OpenClException e = assertThrows(OpenClException.class, () -> OpenClDevices.choose(devices, bad, "device choice"));
            assertTrue(e.getMessage().contains("out of range") && e.getMessage().contains("3 devices"), e.getMessage());
            assertTrue(e.getMessage().contains("#1 GPU 'NVIDIA H100 80GB HBM3' on 'NVIDIA CUDA'"), e.getMessage());
        }
        OpenClException e = assertThrows(OpenClException.class, () -> OpenClDevices.choose(devices, "radeon", "device choice"));
        assertTrue(e.getMessage().contains("no OpenCL device matches 'radeon'"), e.getMessage());
        for (OpenClDevices.Device d : devices) {
            assertTrue(e.getMessage().contains(d.describe()), e.getMessage());
        }
    }
}
