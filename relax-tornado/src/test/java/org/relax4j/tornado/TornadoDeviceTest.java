package org.relax4j.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;
import org.relax4j.mask.RandomMasks;

/** Finding the engine and its device, and the refusals that name what is wrong. */
class TornadoDeviceTest {

    @Test
    void theEngineIsFoundByNameAndSaysWhatRunsIt() {
        assertTrue(Engines.available().contains("tornado"), Engines.available().toString());
        try (Engine e = Engines.create("tornado", 1, null)) {
            assertEquals("tornado", e.name());
            assertTrue(e.device().startsWith("TornadoVM opencl "), e.device());
            assertFalse(e.device().contains("fused"), "fma() off, so maps are the CPU's bit for bit: " + e.device());
        }
    }

    @Test
    void devicesAreListedAndChosenByNumberOrName() {
        List<String> devices = TornadoEngine.devices();
        assertFalse(devices.isEmpty());
        assertTrue(devices.get(0).startsWith("0:0 opencl "), devices.get(0));
        try (TornadoEngine byNumber = new TornadoEngine("0:0")) {
            assertTrue(devices.get(0).contains(byNumber.device().substring(byNumber.device().lastIndexOf(": ") + 2)));
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new TornadoEngine("no-such-device"));
        assertTrue(none.getMessage().contains("no TornadoVM device matches 'no-such-device'"), none.getMessage());
        assertTrue(none.getMessage().contains(devices.get(0)), "lists the devices: " + none.getMessage());
    }

    @Test
    void volumesAreRefusedByName() {
        try (TornadoEngine e = new TornadoEngine()) {
            InputTensor volume = InputTensor.filled(1, new int[] {8, 8, 8}, 1f);
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.open(volume, new RandomMasks(1, new int[] {2, 2, 2}, false, 0.5f), 4, 1f));
            assertTrue(ex.getMessage().startsWith("tornado engine: this engine supports rank 2 only"), ex.getMessage());
        }
    }
}
