package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered members and the seed list a restarted node joins with. */
class KnownMembersTest {
  @TempDir
  Path dir;

  @Test
  void savedMembersAreLoadedBack_sorted_andNoFileMeansNone() throws Exception {
    assertEquals(List.of(), KnownMembers.load(dir), "no file: nothing remembered");
    KnownMembers.save(dir, Set.of("127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2"));
    assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"), KnownMembers.load(dir));
    KnownMembers.save(dir, Set.of("127.0.0.1:1"));
    assertEquals(List.of("127.0.0.1:1"), KnownMembers.load(dir), "replaced, not appended");
    Files.writeString(dir.resolve(KnownMembers.FILE), "# comment\n\ngarbage\n10.0.0.1:25520\n");
    assertEquals(List.of("10.0.0.1:25520"), KnownMembers.load(dir), "comments and junk skipped");
  }
}
