package org.relax4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one staging-and-rename rule: whole or absent, earlier folders replaced only when the caller allows. */
class StagedFolderTest {
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void appearsWholeOnPublishAndNotAtAllOtherwise(@TempDir Path dir) throws IOException {
        try (StagedFolder f = StagedFolder.begin(dir, "r")) {
            Files.writeString(f.path().resolve("a.txt"), "1");
            assertFalse(Files.exists(dir.resolve("r")), "nothing under the name before publishing");
            assertTrue(f.publish(p -> false));
        }
        assertEquals(List.of("r"), names(dir));
        assertEquals("1", Files.readString(dir.resolve("r").resolve("a.txt")));
        try (StagedFolder f = StagedFolder.begin(dir, "s")) {
            Files.writeString(f.path().resolve("a.txt"), "half");
        }
        assertEquals(List.of("r"), names(dir), "closed unpublished: the staging folder is gone");
    }

    @Test
    void replacesOnlyWhatTheCallerAllows(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("r"));
        Files.writeString(dir.resolve("r").resolve("precious.txt"), "mine");
        try (StagedFolder f = StagedFolder.begin(dir, "r")) {
            Files.writeString(f.path().resolve("a.txt"), "new");
            assertFalse(f.publish(p -> Files.exists(p.resolve("a.txt"))));
        }
        assertEquals(List.of("precious.txt"), names(dir.resolve("r")));
        try (StagedFolder f = StagedFolder.begin(dir, "r")) {
            Files.writeString(f.path().resolve("a.txt"), "new");
            assertTrue(f.publish(p -> true));
        }
        assertEquals(List.of("r"), names(dir), "the earlier folder, renamed aside, is deleted once replaced");
        assertEquals(List.of("a.txt"), names(dir.resolve("r")));
    }

    @Test
    void tidyClearsStagingAndPutsBackWhatACrashLeftAside(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve(StagedFolder.STAGING_PREFIX + "0123abcd-r"));
        Files.createDirectories(dir.resolve(StagedFolder.OLD_PREFIX + "89abcdef-s"));
        Files.writeString(dir.resolve(StagedFolder.OLD_PREFIX + "89abcdef-s").resolve("x"), "kept");
        Files.createDirectories(dir.resolve(StagedFolder.OLD_PREFIX + "89abcdef-t"));
        Files.createDirectories(dir.resolve("t"));
        assertEquals(3, StagedFolder.tidy(dir));
        assertEquals(List.of("s", "t"), names(dir));
        assertEquals("kept", Files.readString(dir.resolve("s").resolve("x")));
    }
}
