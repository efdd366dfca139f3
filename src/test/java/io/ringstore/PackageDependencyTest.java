package io.ringstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * STYLE's package dependency direction, checked on the {@code import io.ringstore.…} lines of every
 * main source file (and on fully qualified {@code io.ringstore.…} names in its code, outside
 * comments): no package imports one to its left, and no two packages import each other, however
 * indirectly. The layers below are STYLE's "http, client → coordinator → replica, handoff,
 * antientropy → storage, version, ring, config" made exact from today's imports: {@code transfer}
 * beside {@code handoff}, anti-entropy above the replicas it exchanges between, membership ({@code
 * cluster}) below them, the launcher and the command-line programs on top, {@code security} and the
 * serialization marker at the bottom.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageDependencyTest {

  private static final Path MAIN = Path.of("src", "main", "java", "io", "ringstore");

  /** {@code io.ringstore.CborSerializable}: imported by every message, imports nothing. */
  private static final String MARKER = "CborSerializable";

  /** The rest of the root package: {@code Main}, {@code Guardian}, {@code RingstoreNode}, … */
  private static final String LAUNCHER = "(launcher)";

  /**
   * The layers, top first: a package may import any package of a layer below its own, and within
   * its layer only along an edge of {@link #SIDEWAYS}.
   */
  private static final List<List<String>> LAYERS =
      List.of(
          List.of(LAUNCHER, "bench", "check", "tools"),
          List.of("http", "client"),
          List.of("coordinator"),
          List.of("transfer", "handoff"),
          List.of("antientropy"),
          List.of("replica"),
          List.of("cluster"),
          List.of("storage", "ring", "config"),
          List.of("version", "security", MARKER));

  /** Imports allowed within a layer ("from -> to"). */
  private static final Set<String> SIDEWAYS =
      Set.of(
          "bench -> " + LAUNCHER, // the bench reads a node's config the way the launcher does
          "bench -> tools", // and reaches nodes with the admin tools' client access
          "check -> tools",
          "http -> client"); // the gateway serves through the client facade

  /**
   * Imports against the direction that today's code has, each to be removed by the issue named in
   * its comment; listed here so that the test fails on a new one and when one is gone.
   */
  private static final Set<String> KNOWN_EXCEPTIONS = Set.of();

  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+io\\.ringstore(\\.\\w+)*\\s*;");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?io\\.ringstore\\.([A-Za-z_]\\w*)[.;]");

  /** A fully qualified name in code (a line that is not a comment, an import or the package). */
  private static final Pattern INLINE = Pattern.compile("\\bio\\.ringstore\\.([A-Za-z_]\\w*)");

  /** The package imports found: from → to → the files whose imports make the edge. */
  private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

  private final Set<String> packages = new TreeSet<>();

  @BeforeAll
  void readImports() throws IOException {
    assertTrue(Files.isDirectory(MAIN), "run from the project directory: " + MAIN.toAbsolutePath());
    try (Stream<Path> files = Files.walk(MAIN)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(this::readFile);
    }
    assertTrue(packages.size() > 10, "main sources found: " + packages);
  }

  private void readFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String from = null;
    for (String line : lines) {
      if (PACKAGE.matcher(line).find()) {
        from = packageOf(MAIN.relativize(file));
        continue;
      }
      if (from == null) {
        continue;
      }
      Matcher m = IMPORT.matcher(line);
      if (m.find()) {
        addEdge(from, targetOf(m.group(1)), MAIN.relativize(file).toString());
        continue;
      }
      String code = line.trim();
      if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
        continue;
      }
      Matcher inline = INLINE.matcher(code);
      while (inline.find()) {
        addEdge(from, targetOf(inline.group(1)), MAIN.relativize(file) + " (inline name)");
      }
    }
    if (from != null) {
      packages.add(from);
    }
  }

  private void addEdge(String from, String to, String where) {
    if (!to.equals(from)) {
      edges
          .computeIfAbsent(from, k -> new TreeMap<>())
          .computeIfAbsent(to, k -> new TreeSet<>())
          .add(where);
    }
  }

  /** The top-level package of a file below io/ringstore (the root package: launcher or marker). */
  private static String packageOf(Path relative) {
    if (relative.getNameCount() == 1) {
      return relative.toString().equals(MARKER + ".java") ? MARKER : LAUNCHER;
    }
    return relative.getName(0).toString();
  }

  /** What {@code import io.ringstore.<first>…} names: a package, the marker or the launcher. */
  private static String targetOf(String first) {
    if (Character.isUpperCase(first.charAt(0))) {
      return first.equals(MARKER) ? MARKER : LAUNCHER;
    }
    return first;
  }

  private static int layerOf(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean allowed(String from, String to) {
    int a = layerOf(from);
    int b = layerOf(to);
    return a < b || a == b && SIDEWAYS.contains(from + " -> " + to);
  }

  @Test
  void everyPackageHasAPlaceInTheLayers() {
    List<String> unplaced = new ArrayList<>();
    Set<String> all = new TreeSet<>(packages);
    edges.values().forEach(to -> all.addAll(to.keySet()));
    for (String pkg : all) {
      if (layerOf(pkg) < 0) {
        unplaced.add(pkg);
      }
    }
    assertEquals(List.of(), unplaced, "packages to place in LAYERS (and in STYLE's direction)");
  }

  @Test
  void noPackageImportsOneToItsLeft() {
    List<String> against = new ArrayList<>();
    Set<String> exceptionsSeen = new TreeSet<>();
    edges.forEach(
        (from, targets) ->
            targets.forEach(
                (to, files) -> {
                  String edge = from + " -> " + to;
                  if (KNOWN_EXCEPTIONS.contains(edge)) {
                    exceptionsSeen.add(edge);
                  } else if (!allowed(from, to)) {
                    against.add(edge + " (in " + String.join(", ", files) + ")");
                  }
                }));
    assertEquals(List.of(), against, "imports against the documented direction");
    assertEquals(
        KNOWN_EXCEPTIONS,
        exceptionsSeen,
        "a known exception that no longer occurs is to be taken off the list");
  }

  @Test
  void thereIsNoImportCycleBetweenPackages() {
    List<String> cycles = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // absent: new; 1: on the path; 2: done
    for (String start : edges.keySet()) {
      findCycles(start, state, new ArrayDeque<>(), cycles);
    }
    assertEquals(List.of(), cycles, "package import cycles");
  }

  /** Depth-first search; every back edge closes a cycle, reported as its path. */
  private void findCycles(
      String pkg, Map<String, Integer> state, Deque<String> path, List<String> cycles) {
    Integer seen = state.get(pkg);
    if (seen != null && seen == 2) {
      return;
    }
    if (seen != null) {
      List<String> cycle = new ArrayList<>();
      boolean inCycle = false;
      for (String p : (Iterable<String>) path::descendingIterator) {
        inCycle |= p.equals(pkg);
        if (inCycle) {
          cycle.add(p);
        }
      }
      cycle.add(pkg);
      cycles.add(String.join(" -> ", cycle));
      return;
    }
    state.put(pkg, 1);
    path.push(pkg);
    for (String next : edges.getOrDefault(pkg, Map.of()).keySet()) {
      findCycles(next, state, path, cycles);
    }
    path.pop();
    state.put(pkg, 2);
  }

  @Test
  void theLayersThemselvesAreADirectionWithoutCycles() {
    for (String edge : SIDEWAYS) {
      String[] ends = edge.split(" -> ");
      assertTrue(
          layerOf(ends[0]) >= 0 && layerOf(ends[0]) == layerOf(ends[1]),
          edge + ": a sideways edge joins two packages of one layer");
      assertTrue(!SIDEWAYS.contains(ends[1] + " -> " + ends[0]), edge + " and its reverse");
    }
    Set<String> listed = new TreeSet<>();
    LAYERS.forEach(
        layer -> layer.forEach(pkg -> assertTrue(listed.add(pkg), pkg + " is in one layer only")));
  }
}
