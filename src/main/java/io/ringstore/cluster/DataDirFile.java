package io.ringstore.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Small text files of a node's data directory, replaced whole: a crash leaves the old or the new
 * text.
 */
final class DataDirFile {
  private DataDirFile() {}

  /** Writes {@code text} to {@code dataDir/name} through a temporary file moved into place. */
  static void replace(Path dataDir, String name, CharSequence text) throws IOException {
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve(name + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try {
      Files.move(
          tmp,
          dataDir.resolve(name),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dataDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
