package io.ringstore.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The users file: one user per line, {@code NAME:ROLE[,ROLE...]:HASH} with the hash of {@link
 * PasswordHash}; {@code #} starts a comment line. Written by {@code bin/ringstore user}
 * (atomically, owner-only) and read by the node at start and whenever it changes.
 *
 * <pre>
 * # ringstore users
 * admin:admin:pbkdf2-sha256$600000$3q2+7w...$Yk9x...
 * app:readwrite:pbkdf2-sha256$600000$...$...
 * </pre>
 */
public final class UsersFile {
  /** A users file larger than this is refused (it is a handful of lines). */
  static final long MAX_BYTES = 4L << 20;

  private UsersFile() {}

  /** Reads and parses the file; the message names the file and the line of the first error. */
  public static Users load(Path file) {
    return parse(read(file), file.toString());
  }

  /** The file's bytes, size-checked; the message names the file. */
  public static byte[] read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "users file "
                + file.toAbsolutePath()
                + " does not exist (make it with `bin/ringstore user add NAME --role ROLE --file FILE`)");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException(
            "users file " + file.toAbsolutePath() + " is larger than " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read users file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** Parses a users file's content; {@code source} names it in messages. */
  public static Users parse(byte[] content, String source) {
    String text = new String(content, StandardCharsets.UTF_8);
    List<User> users = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        users.add(parseLine(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
    try {
      return Users.of(users);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }

  static User parseLine(String line) {
    String[] fields = line.split(":", -1);
    if (fields.length != 3) {
      throw new IllegalArgumentException("expected NAME:ROLE[,ROLE...]:HASH");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String role : fields[1].split(",", -1)) {
      if (!role.isBlank()) {
        roles.add(Role.parse(role));
      }
    }
    return new User(User.checkName(fields[0]), roles, PasswordHash.parse(fields[2].strip()));
  }

  /** The file's text for {@code users}. */
  public static String format(Users users) {
    StringBuilder text =
        new StringBuilder(
            """
            # ringstore users: NAME:ROLES:HASH (edit with bin/ringstore user; roles: read, readwrite,
            # monitor, admin). Nodes reload this file when it changes.
            """);
    for (User user : users.byName().values()) {
      text.append(user.name())
          .append(':')
          .append(user.roles().stream().sorted().map(Role::label).collect(Collectors.joining(",")))
          .append(':')
          .append(user.hash().format())
          .append('\n');
    }
    return text.toString();
  }

  /** Writes {@code users} to {@code file}: a temporary file, owner-only, moved into place. */
  public static void write(Path file, Users users) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
      try {
        trySetOwnerOnly(tmp);
        Files.writeString(tmp, format(users), StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot write users file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  private static void trySetOwnerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's permissions protect it
    }
  }
}
