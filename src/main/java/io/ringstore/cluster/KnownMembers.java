package io.ringstore.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The data members this node last saw Up, itself included, kept in its data directory ({@code
 * cluster-members}, one {@code host:port} per line): the peers a restarted node asks for its
 * cluster, and the electorate whose majority must agree before a restarting cluster is formed again
 * ({@link JoinDecision}). Written on membership changes, read once at start-up.
 */
public final class KnownMembers {
  static final String FILE = "cluster-members";
  private static final String REPAIR_ADVICE =
      "The file lists the data members this node last saw Up,"
          + " one host:port per line: restore it from another member's data directory (every member"
          + " keeps the same list) or correct it by hand.";

  private KnownMembers() {}

  /**
   * The remembered members ({@code host:port}), empty when there is no file. A file that exists but
   * cannot be read (permissions, not a regular file, not UTF-8 text) or holds a line that is not a
   * {@code host:port} stops the node with a message naming the file: dropping members silently
   * would shrink the electorate a restarting cluster needs a majority of.
   *
   * @throws UncheckedIOException when the file cannot be read
   * @throws IllegalStateException when a line is not a member
   */
  public static List<String> load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (Files.notExists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the remembered cluster members in "
              + file.toAbsolutePath()
              + " ("
              + e
              + "). "
              + REPAIR_ADVICE,
          e);
    }
    List<String> members = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String member = lines.get(i).strip();
      if (member.isEmpty() || member.startsWith("#")) {
        continue;
      }
      if (!isMember(member)) {
        throw new IllegalStateException(
            "damaged remembered cluster members in "
                + file.toAbsolutePath()
                + ", line "
                + (i + 1)
                + " is not a host:port: '"
                + member
                + "'. "
                + REPAIR_ADVICE);
      }
      members.add(member);
    }
    return List.copyOf(members);
  }

  /** {@code host:port}: a non-empty host, a port of 1 to 5 digits. */
  private static boolean isMember(String line) {
    int colon = line.lastIndexOf(':');
    return colon > 0 && line.substring(colon + 1).matches("[0-9]{1,5}");
  }

  /** Replaces the remembered members (atomically: a crash leaves the old or the new list). */
  public static void save(Path dataDir, Collection<String> members) {
    try {
      StringBuilder text = new StringBuilder("# data members last seen Up (written by the node)\n");
      new TreeSet<>(members).forEach(m -> text.append(m).append('\n'));
      DataDirFile.replace(dataDir, FILE, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remember the cluster's members in " + dataDir, e);
    }
  }
}
