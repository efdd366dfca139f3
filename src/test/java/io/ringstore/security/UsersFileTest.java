package io.ringstore.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {
  @TempDir Path dir;

  private static User user(String name, Role... roles) {
    return new User(
        name,
        EnumSet.copyOf(List.of(roles)),
        PasswordHash.create(name + "-pw", PasswordHash.MIN_ITERATIONS));
  }

  @Test
  void writtenOwnerOnlyAndReadBack() throws Exception {
    Path file = dir.resolve("sub/users");
    Users users =
        Users.of(List.of(user("admin", Role.ADMIN), user("app", Role.READ, Role.READWRITE)));
    UsersFile.write(file, users);
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(file));
    Users back = UsersFile.load(file);
    assertEquals(2, back.size());
    assertEquals(Set.of(Role.READ, Role.READWRITE), back.find("app").orElseThrow().roles());
    assertTrue(back.find("admin").orElseThrow().hash().matches("admin-pw"));
  }

  @Test
  void commentsAndBlankLinesAreSkipped() {
    String hash = PasswordHash.create("pw", PasswordHash.MIN_ITERATIONS).format();
    Users users =
        UsersFile.parse(
            ("# users\n\n  \nops:monitor:" + hash + "\r\n").getBytes(StandardCharsets.UTF_8),
            "test");
    assertEquals(Set.of(Role.MONITOR), users.find("ops").orElseThrow().roles());
  }

  @Test
  void aBadLineIsNamedWithItsNumber() {
    String hash = PasswordHash.create("pw", PasswordHash.MIN_ITERATIONS).format();
    for (String bad :
        new String[] {
          "a:admin",
          "a:god:" + hash,
          "bad name:admin:" + hash,
          "a:admin:nothash",
          "a:admin:" + hash + "\na:read:" + hash
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> UsersFile.parse(("# first\n" + bad).getBytes(StandardCharsets.UTF_8), "f"),
              bad);
      assertTrue(e.getMessage().startsWith("f"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                UsersFile.parse(("# first\na:god:" + hash).getBytes(StandardCharsets.UTF_8), "f"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void aMissingFileSaysHowToMakeOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> UsersFile.load(dir.resolve("none")));
    assertTrue(e.getMessage().contains("bin/ringstore user add"), e.getMessage());
  }
}
