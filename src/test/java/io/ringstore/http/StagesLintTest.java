package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway never chains a stage with a plain (non-async) callback: on a stage from Pekko's Java
 * API that runs the callback on the common pool, a new thread per call on two cores (see {@link
 * Stages}). Checked in the sources, since nothing in a test's outcome shows the thread it cost.
 */
class StagesLintTest {
  private static final Pattern PLAIN_CALLBACK =
      Pattern.compile(
          "\\.(whenComplete|thenApply|thenAccept|thenRun|thenCompose|thenCombine|handle|exceptionally)\\(");

  @Test
  void theGatewayChainsStagesOnlyWithAnExplicitExecutor() throws IOException {
    Path dir = Path.of("src/main/java/io/ringstore/http");
    assertTrue(Files.isDirectory(dir), "run from the project root: " + dir.toAbsolutePath());
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (!line.startsWith("*")
              && !line.startsWith("//")
              && !line.startsWith("/*")
              && PLAIN_CALLBACK.matcher(line).find()) {
            found.add(file.getFileName() + ":" + (i + 1) + ": " + line);
          }
        }
      }
    }
    assertEquals(
        List.of(),
        found,
        "use the …Async(fn, Stages.SAME_THREAD) variant: a plain callback on a Pekko stage starts a"
            + " thread per call on two cores");
  }

  @Test
  void theLintFindsAPlainCallback() {
    assertTrue(PLAIN_CALLBACK.matcher("stage.whenComplete((ok, failure) -> release());").find());
    assertTrue(PLAIN_CALLBACK.matcher(".exceptionally(KvRoutes::bodyFailed)").find());
    assertTrue(!PLAIN_CALLBACK.matcher(".whenCompleteAsync(fn, Stages.SAME_THREAD)").find());
  }
}
