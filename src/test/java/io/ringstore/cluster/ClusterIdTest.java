package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.Valid$;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster id kept in a data directory and Pekko's join check of it (DESIGN invariant 7). */
class ClusterIdTest {
  @TempDir Path dir;

  static Config id(String id) {
    return ConfigFactory.parseString("ringstore.cluster.id = \"" + id + "\"");
  }

  @Test
  void joinCheckRefusesAnotherClustersId_acceptsTheSameOrNone() {
    ClusterIdCompatChecker checker = new ClusterIdCompatChecker();
    Config none = ConfigFactory.empty();
    assertInstanceOf(
        Invalid.class,
        checker.check(id("cluster-aaaa"), id("cluster-bbbb")),
        "a node of another cluster is refused");
    assertEquals(
        Valid$.MODULE$, checker.check(id("cluster-aaaa"), id("cluster-aaaa")), "same cluster");
    assertEquals(Valid$.MODULE$, checker.check(none, id("cluster-aaaa")), "a fresh node may join");
    assertEquals(
        Valid$.MODULE$,
        checker.check(id("cluster-aaaa"), none),
        "a member that learned its id at run time leaves the check to the joiner");
    assertTrue(checker.requiredKeys().contains("ringstore.cluster.id"));
  }

  @Test
  void keptAndLoadedBack_aDamagedFileStopsTheNodeNamingIt() throws Exception {
    assertEquals(Optional.empty(), ClusterIdFile.load(dir));
    assertFalse(ClusterIdFile.hasHistory(dir), "a fresh data dir has no history");
    String id = ClusterIdFile.mint();
    ClusterIdFile.save(dir, id);
    assertEquals(Optional.of(id), ClusterIdFile.load(dir));
    assertTrue(ClusterIdFile.hasHistory(dir));
    Files.writeString(dir.resolve(ClusterIdFile.FILE), "\u0000garbage!");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ClusterIdFile.load(dir));
    assertTrue(
        e.getMessage().contains(dir.resolve(ClusterIdFile.FILE).toAbsolutePath().toString()),
        e.getMessage());
  }

  @Test
  void rememberedMembersAloneAreHistory() {
    KnownMembers.save(dir, Set.of("127.0.0.1:1"));
    assertTrue(ClusterIdFile.hasHistory(dir), "a data dir from before cluster ids, with members");
  }
}
