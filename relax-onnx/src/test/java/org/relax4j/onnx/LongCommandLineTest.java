package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime must start in a JVM whose command line is long, as every launch with a full class path is (Maven,
 * IDEs, Spark executors). ONNX Runtime Java 1.29.0 crashed the JVM with SIGSEGV there (exit 139, no Java error) as
 * soon as the command line passed about 4 KB; this runs a child JVM with a 16 KB command line that opens an
 * environment and a session.
 */
class LongCommandLineTest {

    /** The child: opens ONNX Runtime's environment and a small model, then says so. */
    public static void main(String[] args) throws Exception {
        try (OnnxEncoder encoder = OnnxEncoder.builder(Path.of(args[0])).build()) {
            System.out.println("opened " + encoder.inputName());
        }
    }

    @Test
    void onnxRuntimeStartsUnderALongCommandLine(@TempDir Path dir) throws IOException, InterruptedException {
        Path model = dir.resolve("tiny.onnx");
        Files.write(model, OnnxEncoderTest.channelMeanModel(new long[] {-1, 3, 4, 4}, false));
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Drelax4j.padding=" + "x".repeat(16_000), "-cp", System.getProperty("java.class.path"),
                LongCommandLineTest.class.getName(), model.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), "exit " + p.exitValue() + (p.exitValue() == 139 ? " (SIGSEGV)" : "") + ": " + text);
        assertTrue(text.contains("opened "), text);
    }
}
