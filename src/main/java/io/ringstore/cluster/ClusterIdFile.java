package io.ringstore.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * The id of the cluster a data directory belongs to, kept in {@code <data-dir>/cluster-id}: minted
 * once when a cluster is formed from fresh nodes, learned by every node that joins it, and checked
 * whenever a node joins (DESIGN invariant 7: a node of another cluster is refused, two clusters
 * never merge). A data directory with this file (or with remembered members) has cluster history:
 * its node never forms a cluster by itself ({@link JoinDecision}).
 */
public final class ClusterIdFile {
  static final String FILE = "cluster-id";

  private ClusterIdFile() {}

  /** The id kept in {@code dataDir}, empty when there is none; a damaged file stops the node. */
  public static Optional<String> load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String id = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!valid(id)) {
        throw new IllegalStateException(
            "damaged cluster id in "
                + file.toAbsolutePath()
                + ": '"
                + id
                + "'. Restore the file from another member's data directory (every member holds the same"
                + " id) or, if this node's data is not needed, start it on an empty data directory.");
      }
      return Optional.of(id);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
    }
  }

  /** Keeps {@code id} in {@code dataDir} (atomically: a crash leaves no file or the whole id). */
  public static void save(Path dataDir, String id) {
    if (!valid(id)) {
      throw new IllegalArgumentException("not a cluster id: '" + id + "'");
    }
    try {
      DataDirFile.replace(dataDir, FILE, id + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep the cluster id in " + dataDir.toAbsolutePath(), e);
    }
  }

  /** A new random cluster id. */
  public static String mint() {
    return UUID.randomUUID().toString();
  }

  /** Whether {@code id} looks like a cluster id (letters, digits, '-' and '_', 8..64 of them). */
  public static boolean valid(String id) {
    return id != null && id.matches("[A-Za-z0-9_-]{8,64}");
  }

  /**
   * Whether {@code dataDir} has belonged to a cluster: it holds a cluster id or remembered members.
   */
  public static boolean hasHistory(Path dataDir) {
    return Files.exists(dataDir.resolve(FILE)) || !KnownMembers.load(dataDir).isEmpty();
  }
}
