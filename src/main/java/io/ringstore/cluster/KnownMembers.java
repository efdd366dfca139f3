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
 * The data members this node last saw Up, itself included, kept in its data directory
 * ({@code cluster-members}, one {@code host:port} per line): the peers a restarted node asks for its
 * cluster, and the electorate whose majority must agree before a restarting cluster is formed again
 * ({@link JoinDecision}). Written on membership changes, read once at start-up.
 */
public final class KnownMembers {
  static final String FILE = "cluster-members";

  private KnownMembers() {}

  /** The remembered members ({@code host:port}), empty when there is no file. */
  public static List<String> load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isReadable(file)) {
      return List.of();
    }
    try {
      List<String> members = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String member = line.strip();
        if (!member.isEmpty() && !member.startsWith("#") && member.lastIndexOf(':') > 0) {
          members.add(member);
        }
      }
      return List.copyOf(members);
    } catch (IOException e) {
      return List.of();
    }
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
