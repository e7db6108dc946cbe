package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * relax-core's packages form layers, tensors and maps ({@code data}) and the internal machinery at the bottom: no
 * package reaches, through its imports and qualified names, a package that reaches back to it.
 */
class PackageCyclesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** A reference to a relax4j type: {@code org.relax4j.Type} or {@code org.relax4j.sub.Type}. */
    private static final Pattern REFERENCE = Pattern.compile("org\\.relax4j((?:\\.[a-z]\\w*)*)\\.[A-Z]");

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String s = Files.readString(f);
                Matcher pm = PACKAGE.matcher(s);
                if (!pm.find()) {
                    continue;
                }
                String from = pm.group(1);
                // Comments name types for readers only: what links the packages is the code.
                String code = s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String target = "org.relax4j" + m.group(1);
                    if (!target.equals(from)) {
                        to.add(target);
                    }
                }
            }
        }
        return uses;
    }

    @Test
    void noPackageReachesBackToItself() throws IOException {
        Map<String, Set<String>> uses = graph();
        assertTrue(uses.size() >= 9, uses.keySet().toString());
        for (String start : uses.keySet()) {
            List<String> cycle = path(uses, start, start, new TreeSet<>());
            assertEquals(null, cycle, () -> "packages in a cycle: " + cycle + " (dependencies: " + uses + ")");
        }
        assertEquals(Set.of(), uses.get("org.relax4j.data"), "tensors and maps depend on nothing else");
        assertEquals(Set.of(), uses.get("org.relax4j.internal"));
    }

    /** A path of dependencies from {@code from} back to {@code target}, or null. */
    private static List<String> path(Map<String, Set<String>> uses, String from, String target, Set<String> seen) {
        for (String next : uses.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return new ArrayList<>(List.of(from, next));
            }
            if (seen.add(next)) {
                List<String> rest = path(uses, next, target, seen);
                if (rest != null) {
                    rest.add(0, from);
                    return rest;
                }
            }
        }
        return null;
    }
}
