package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The preflight's advice is a batch size the preflight itself accepts, with room for the free heap to vary. */
class MemoryPreflightTest {
    @Test
    void theAdvisedBatchSizeIsAccepted() {
        for (long heap : new long[] {1L << 28, 1L << 30, 6L << 30}) {
            MemoryPreflight p = new MemoryPreflight(heap, 0);
            String refusal = p.check(100_000, 3, 224, 224, "--size");
            assertNotNull(refusal);
            Matcher m = Pattern.compile("use --batch-size (\\d+) or less").matcher(refusal);
            if (!m.find()) {
                throw new AssertionError(refusal);
            }
            long advised = Long.parseLong(m.group(1));
            assertNull(p.check(advised, 3, 224, 224, "--size"), refusal);
            assertNull(new MemoryPreflight((long) (heap * 0.95), 0).check(advised, 3, 224, 224, "--size"),
                    "5 % less free heap on the next run: " + refusal);
        }
    }
}
