package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.EngineRun;
import org.relax4j.mask.RandomMasks;

/** Every way the engine refuses: bad device choices, batches too large, kernels that do not build, use after close. */
class OpenClErrorsTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    /** The kernels are 2-D: other ranks and discrete masks are refused by name, pointing at the cpu engine. */
    @Test
    void ranksOtherThanImagesAreRefusedClearly() {
        try (OpenClEngine engine = OpenClTestSupport.engine()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.open(
                    InputTensor.filled(1, new int[] {64}, 1f), new RandomMasks(0, new int[] {7}, false, 0.5f), 10, 1f));
            assertTrue(e.getMessage().contains("opencl engine") && e.getMessage().contains("rank 2 only")
                    && e.getMessage().contains("cpu engine"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> engine.open(InputTensor.filled(1, 8, 8, 1f),
                    new RandomMasks(0, new int[] {8, 8}, true, 0.5f), 10, 1f));
            assertTrue(e.getMessage().contains("discrete"), e.getMessage());
        }
    }

    @Test
    void deviceIndexOutOfRangeListsTheDevices() {
        int n = OpenClEngine.devices().size();
        OpenClException e = assertThrows(OpenClException.class, () -> new OpenClEngine(String.valueOf(n)));
        assertTrue(e.getMessage().contains("index " + n) && e.getMessage().contains("out of range"), e.getMessage());
        assertTrue(e.getMessage().contains(OpenClEngine.devices().get(0)), e.getMessage());
    }

    @Test
    void deviceNameMatchingNothingListsTheDevices() {
        OpenClException e = assertThrows(OpenClException.class, () -> new OpenClEngine("no-such-device-xyz"));
        assertTrue(e.getMessage().contains("no OpenCL device matches 'no-such-device-xyz'"), e.getMessage());
        for (String d : OpenClEngine.devices()) {
            assertTrue(e.getMessage().contains(d), e.getMessage());
        }
    }

    @Test
    void aKernelThatDoesNotBuildReportsTheFullBuildLog() {
        String broken = KernelProgram.defaultSource()
                + "\n__kernel void relax_broken(__global float *out) { out[0] = undeclared_identifier_42 * 2.0f; }\n";
        OpenClException e = assertThrows(OpenClException.class,
                () -> new OpenClBackend(null, broken, OpenClBackend.Options.defaults()));
        String m = e.getMessage();
        assertTrue(m.contains("clBuildProgram returned CL_BUILD_PROGRAM_FAILURE"), m);
        assertTrue(m.contains("-cl-std=CL1.2"), m);
        assertTrue(m.contains("Build log:\n"), m);
        assertTrue(m.contains("undeclared_identifier_42"), "the compiler's message should be in the log: " + m);
    }

    @Test
    void theGeneratorsConstantsComeFromJava() {
        String withoutConstants = KernelProgram.defaultSource();
        OpenClException e = assertThrows(OpenClException.class, () -> new OpenClBackend(null, withoutConstants
                .replace("#if !defined(RELAX_GOLDEN)", "#undef RELAX_GOLDEN\n#if !defined(RELAX_GOLDEN)"),
                OpenClBackend.Options.defaults()));
        assertTrue(e.getMessage().contains("-D RELAX_GOLDEN=0x9E3779B97F4A7C15UL"), e.getMessage());
        assertTrue(e.getMessage().contains("CounterRng's constants"), "the #error should be in the log: " + e.getMessage());
    }

    @Test
    void aSourceWithoutAKernelFailsAtOpenNamingTheCall() {
        String missing = KernelProgram.defaultSource().replace("relax_blend(", "relax_blend_renamed(");
        try (PipelinedEngine e = new PipelinedEngine(OpenClEngine.NAME,
                new OpenClBackend(null, missing, OpenClBackend.Options.defaults()))) {
            OpenClException ex = assertThrows(OpenClException.class,
                    () -> e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f));
            assertTrue(ex.getMessage().contains("clCreateKernel(relax_blend) failed: CL_INVALID_KERNEL_NAME"), ex.getMessage());
        }
    }

    @Test
    void anInputLargerThanOneDeviceBufferIsRejectedAtOpen() {
        long sample = 2L * 30 * 40 * Float.BYTES;
        try (PipelinedEngine e = OpenClTestSupport.engine(OpenClBackend.Options.defaults(), sample - 4)) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(2, 30, 40, 1f), new RandomMasks(1, 7, 0.5f), 3, 1e-10f));
            assertTrue(ex.getMessage().contains("needs " + sample + " bytes")
                    && ex.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE = " + (sample - 4)), ex.getMessage());
        }
    }

    @Test
    void aBatchLargerThanAJavaArrayIsRejectedAtOpen() {
        try (OpenClEngine e = OpenClTestSupport.engine()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(3, 224, 224, 1f), new RandomMasks(1, 7, 0.5f), 20_000, 1e-10f));
            assertTrue(ex.getMessage().contains("more than one Java array holds"), ex.getMessage());
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        OpenClEngine e = OpenClTestSupport.engine();
        EngineRun run = e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f);
        run.prefetch(0, 4);
        run.close();
        assertDoesNotThrow(run::close);
        assertThrows(IllegalStateException.class, () -> run.masked(0, 4));
        EngineRun open = e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f);
        open.prefetch(0, 4);
        e.close(); // closes the open run too, with a transfer in flight
        assertDoesNotThrow(e::close);
        assertThrows(IllegalStateException.class, () -> open.accumulate(0, 4, new float[4]));
        assertThrows(IllegalStateException.class,
                () -> e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f));
    }

    @Test
    void badArgumentsAreRejectedLikeTheCpuEngine() {
        try (OpenClEngine e = OpenClTestSupport.engine();
             EngineRun run = e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f)) {
            assertThrows(IllegalArgumentException.class, () -> run.prefetch(0, 5));
            assertThrows(IllegalArgumentException.class, () -> run.accumulate(0, 4, new float[3]));
            assertThrows(IllegalArgumentException.class, () -> run.accumulate(-3, 4, new float[4]));
            assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 0, 1e-10f));
            assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 4, 0f));
        }
    }
}
