package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relax explain-text} end to end with the real MiniLM (from the class path). */
class ExplainTextCommandTest {
    static final String TEXT = "The weather in Oslo is cold. I love pizza.";

    String stdout;
    String stderr;

    int run(String... args) {
        String[] r = DatasetCommandTest.outErr(args);
        stdout = r[1];
        stderr = r[2];
        return Integer.parseInt(r[0]);
    }

    @Test
    void jsonOnStdoutHasOneEntryPerWordAndPagesAreWritten(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("oslo.html");
        Path png = dir.resolve("oslo.png");
        int code = run("explain-text", TEXT, "--query", "climate of Norway", "--json", "--masks", "300", "--seed", "1",
                "--html", html.toString(), "--png", png.toString(), "-q");
        assertEquals(0, code, stderr);
        assertTrue(stdout.startsWith("{") && stdout.strip().endsWith("}"), "JSON only: " + stdout);
        assertEquals(11, stdout.split("\"word\": ", -1).length - 1, stdout);
        assertTrue(stdout.matches("(?s).*\"word\": \"Oslo\",\\s*\"importance\": 0\\.\\d+,\\s*\"uncertainty\": .*"),
                stdout);
        assertTrue(stdout.contains("\"query\": \"climate of Norway\""), stdout);
        assertTrue(stdout.contains("\"masks\": 300"), stdout);
        assertTrue(stdout.contains("\"seed\": 1") && stdout.contains("\"discrete\": true"), "provenance: " + stdout);
        assertTrue(Files.readString(html).contains("<span class=\"w\""));
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void plainTextRanksTheWords() {
        int code = run("explain-text", TEXT, "--query", "climate of Norway", "--masks", "300", "--seed", "1",
                "--masking", "mask-token", "-q");
        assertEquals(0, code, stderr);
        assertFalse(stdout.contains("\u001b"), "no colour when not on a terminal");
        assertTrue(stdout.startsWith(TEXT + "\n"), stdout);
        assertTrue(stdout.contains("   1  Oslo "), stdout);
        assertTrue(stdout.contains("similarity to \"climate of Norway\""), stdout);
    }

    @Test
    void badUsageExitsWithTwoNamingTheOption() {
        assertEquals(2, run("explain-text", TEXT, "--masking", "blank"));
        assertTrue(stderr.contains("--masking") && stderr.contains("'blank' is not remove or mask-token"), stderr);
        assertEquals(2, run("explain-text", "   "));
        assertTrue(stderr.contains("TEXT is empty"), stderr);
        assertEquals(2, run("explain-text", TEXT, "--masks", "0"));
        assertTrue(stderr.contains("--masks must be at least 1, got 0"), stderr);
        assertEquals(2, run("explain-text", "word ".repeat(600)));
        assertTrue(stderr.contains("602 tokens"), stderr);
    }
}
