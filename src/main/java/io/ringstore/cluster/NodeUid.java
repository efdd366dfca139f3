package io.ringstore.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The node's uid: created with its data directory and kept in {@code <data-dir>/node-uid}. It is
 * the node's actor id in dotted version vectors, so a wiped data directory gets a new uid and never
 * reuses a counter of an earlier life (DESIGN invariant 3).
 */
public final class NodeUid {
  static final String FILE = "node-uid";

  private NodeUid() {}

  public static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        String uid = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!uid.matches("[A-Za-z0-9_-]{8,64}")) {
          throw new IllegalStateException("corrupt node uid in " + file + ": '" + uid + "'");
        }
        return uid;
      }
      byte[] random = new byte[9];
      new SecureRandom().nextBytes(random);
      String uid = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, uid + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return uid;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
