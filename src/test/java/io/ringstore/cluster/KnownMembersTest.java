package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered members and the seed list a restarted node joins with. */
class KnownMembersTest {
  @TempDir Path dir;

  @Test
  void savedMembersAreLoadedBack_sorted_andNoFileMeansNone() throws Exception {
    assertEquals(List.of(), KnownMembers.load(dir), "no file: nothing remembered");
    assertEquals(
        List.of(), KnownMembers.load(dir.resolve("missing")), "no data directory: nothing either");
    KnownMembers.save(dir, Set.of("127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2"));
    assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"), KnownMembers.load(dir));
    KnownMembers.save(dir, Set.of("127.0.0.1:1"));
    assertEquals(List.of("127.0.0.1:1"), KnownMembers.load(dir), "replaced, not appended");
    Files.writeString(dir.resolve(KnownMembers.FILE), "# comment\n\n  10.0.0.1:25520  \n");
    assertEquals(
        List.of("10.0.0.1:25520"), KnownMembers.load(dir), "comments, blanks and spaces skipped");
  }

  @Test
  void aLineThatIsNotAMemberIsAnErrorNamingTheFileAndLine() throws Exception {
    Path file = dir.resolve(KnownMembers.FILE);
    Files.writeString(file, "# comment\n10.0.0.1:25520\ngarbage\n");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> KnownMembers.load(dir));
    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("'garbage'"), e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> ClusterIdFile.hasHistory(dir),
        "the history check does not take a damaged file for no history");
  }

  @Test
  void aFileThatCannotBeReadIsAnErrorNamingTheFile() throws Exception {
    Path file = dir.resolve(KnownMembers.FILE);
    Files.write(file, new byte[] {'1', '2', '7', (byte) 0xC3, (byte) 0x28, ':', '1', '\n'});
    UncheckedIOException notText =
        assertThrows(UncheckedIOException.class, () -> KnownMembers.load(dir), "not UTF-8 text");
    assertTrue(
        notText.getMessage().contains(file.toAbsolutePath().toString()), notText.getMessage());

    Files.delete(file);
    Files.createDirectory(file);
    UncheckedIOException directory =
        assertThrows(UncheckedIOException.class, () -> KnownMembers.load(dir), "a directory");
    assertTrue(
        directory.getMessage().contains(file.toAbsolutePath().toString()), directory.getMessage());
  }
}
