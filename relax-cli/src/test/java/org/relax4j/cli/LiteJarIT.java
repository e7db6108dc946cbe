package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The light jar as a user runs it ({@code java -jar relax-lite.jar}): far smaller than relax.jar, the same maps as the
 * full CLI, and a clear answer for the commands it leaves out.
 */
class LiteJarIT {
    private static final Path LITE = Path.of("target", "relax-lite.jar");
    private static final Path FULL = Path.of("target", "relax.jar");
    private static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    @TempDir
    Path tmp;

    private record Run(int code, String out) {
    }

    private static Run java(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LITE.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finished");
        return new Run(p.exitValue(), out);
    }

    @Test
    void explainsAsTheFullCliAndSaysWhatItLeavesOut() throws Exception {
        assertTrue(Files.size(LITE) * 3 < Files.size(FULL), "lite " + Files.size(LITE) + " B, full " + Files.size(FULL));

        Run lite = java("explain", CHELSEA.toString(), "--masks", "128", "--seed", "2", "-q", "--out",
                tmp.resolve("lite").toString());
        assertEquals(0, lite.code(), lite.out());
        StringWriter err = new StringWriter();
        assertEquals(0, RelaxCli.run(new String[] {"explain", CHELSEA.toString(), "--masks", "128", "--seed", "2", "-q",
                "--out", tmp.resolve("full").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err)),
                err.toString());
        for (String map : List.of("importance", "uncertainty", "u_relax")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("full/chelsea/" + map + ".npy")),
                    Files.readAllBytes(tmp.resolve("lite/chelsea/" + map + ".npy")), map);
        }

        Run dataset = java("dataset", "--input", "x", "--output", "y");
        assertEquals(RelaxCli.FAILED, dataset.code(), dataset.out());
        assertTrue(dataset.out().contains("no Apache Spark") && dataset.out().contains("relax.jar"), dataset.out());
        Run text = java("explain-text", "hello");
        assertTrue(text.out().contains("no text model"), text.out());
        // relax serve from the light jar: starts, with no complaint about logging (Javalin's banner, SLF4J's warning).
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                LITE.toString(), "serve", "--port", "0", "-q");
        Process serve = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder said = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                said.append(line).append('\n');
                if (line.contains("ready at")) {
                    break;
                }
            }
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(said.toString().contains("ready at http://127.0.0.1:"), said.toString());
        assertTrue(!said.toString().contains("SLF4J") && !said.toString().contains("logger"), said.toString());

        Run help = java("--help");
        assertEquals(0, help.code(), help.out());
        assertTrue(help.out().contains("serve") && help.out().contains("(not in this jar"), help.out());
    }
}
