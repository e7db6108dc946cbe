package org.relax4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's Java snippets come from the compiled examples: each block marked
 * {@code <!-- snippet: File.java#name -->} must equal the region between {@code // snippet:start name} and
 * {@code // snippet:end} in that file, minus its common indentation. Edit the example, then copy it.
 */
class ReadmeSnippetsTest {
    static final Path README = Path.of("..", "README.md");
    static final Path SOURCES = Path.of("src", "main", "java", "org", "relax4j", "examples");
    private static final Pattern BLOCK =
            Pattern.compile("<!-- snippet: (\\w+\\.java)#([\\w-]+) -->\\s*\\n```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyMarkedReadmeSnippetMatchesItsExample() throws IOException {
        String readme = Files.readString(README);
        Matcher m = BLOCK.matcher(readme);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String expected = region(Files.readString(SOURCES.resolve(m.group(1))), m.group(2), m.group(1));
            assertEquals(expected, m.group(3), "README snippet " + m.group(1) + "#" + m.group(2)
                    + " differs from the example");
            checked.add(m.group(2));
        }
        assertTrue(checked.size() >= 4, "marked snippets found: " + checked);
    }

    static String region(String source, String name, String file) {
        String[] lines = source.split("\n", -1);
        List<String> body = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            if (line.strip().equals("// snippet:start " + name)) {
                in = true;
            } else if (in && line.strip().equals("// snippet:end")) {
                return dedent(body);
            } else if (in) {
                body.add(line);
            }
        }
        fail("no snippet '" + name + "' in " + file);
        return null;
    }

    private static String dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString();
    }
}
