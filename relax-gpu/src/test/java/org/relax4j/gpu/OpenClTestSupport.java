package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.relax4j.engine.EngineComparison;

/**
 * The one place that decides what a missing OpenCL means for the tests: with {@code CI=true} (where OpenCL is
 * installed and required) the tests fail; elsewhere each test is skipped with the reason shown in the report.
 *
 * <p>Use: {@link #available()} in {@code @BeforeAll} before creating engines (it fails in CI, else answers), and
 * {@link #requireOpenCl()} in {@code @BeforeEach} (it fails in CI, else aborts the test with the reason), so that
 * every test, not just its class, shows up as skipped.
 */
final class OpenClTestSupport {
    private static String unavailable;
    private static boolean checked;

    private OpenClTestSupport() {
    }

    /** Why OpenCL cannot be used here, or null if it can. */
    static synchronized String unavailableReason() {
        if (!checked) {
            checked = true;
            try {
                OpenClEngine.devices();
            } catch (OpenClException e) {
                unavailable = e.getMessage();
            }
        }
        return unavailable;
    }

    /** True if an OpenCL device is usable; with {@code CI=true} a missing one fails the caller instead. */
    static boolean available() {
        String reason = unavailableReason();
        if (reason != null && "true".equals(System.getenv("CI"))) {
            fail("OpenCL is required in CI (CI=true) but is not usable: " + reason);
        }
        return reason == null;
    }

    /** Fails (CI) or aborts (elsewhere) the calling test unless an OpenCL device is usable. */
    static void requireOpenCl() {
        if (!available()) {
            Assumptions.abort("OpenCL test skipped, no usable OpenCL here (with CI=true this fails): " + unavailable);
        }
    }

    /** An engine on the default device, after {@link #requireOpenCl()}. */
    static OpenClEngine engine() {
        requireOpenCl();
        return new OpenClEngine();
    }

    /**
     * An engine on the default device with other backend options, after {@link #requireOpenCl()}; if
     * {@code maxAllocation} is positive, the pipeline sees it as the device's largest buffer (so batches split).
     */
    static PipelinedEngine engine(OpenClBackend.Options options, long maxAllocation) {
        requireOpenCl();
        DeviceBackend backend = new OpenClBackend(null, KernelProgram.defaultSource(), options);
        if (maxAllocation > 0) {
            backend = ForwardingBackend.withMaxAllocation(backend, maxAllocation);
        }
        return new PipelinedEngine(OpenClEngine.NAME, backend);
    }

    /**
     * Whether the default device divides with correct rounding: then the kernels' contract is bit-identical
     * results (masked inputs and maps), and the tests allow no difference at all.
     */
    static boolean exactDevice() {
        requireOpenCl();
        return OpenClDevices.choose(null).correctlyRoundedDivide();
    }

    /** 0 on an {@link #exactDevice()}, else the engine contract's tolerance for masked inputs. */
    static double maskedTolerance() {
        return exactDevice() ? 0 : EngineComparison.MASKED_TOLERANCE;
    }

    /** 0 on an {@link #exactDevice()}, else the engine contract's tolerance for maps. */
    static double mapTolerance() {
        return exactDevice() ? 0 : EngineComparison.MAP_TOLERANCE;
    }

    /** The largest absolute difference (NaN-aware: a NaN mismatch is infinite). */
    static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        return EngineComparison.maxAbsDifference(expected, actual);
    }

    /** The largest relative difference, as the engine contract measures it. */
    static double maxRelDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        return EngineComparison.maxRelativeDifference(expected, actual);
    }
}
