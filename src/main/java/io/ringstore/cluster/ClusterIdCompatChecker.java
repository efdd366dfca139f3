package io.ringstore.cluster;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid$;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko's join compatibility check of the cluster id (DESIGN invariant 7): a node whose data
 * directory belongs to another cluster ({@code ringstore.cluster.id}, from {@code
 * <data-dir>/cluster-id}) is refused when it tries to join, and a node is never let into a cluster
 * of another id. A side without an id (a fresh node, or a member that learned the id after it
 * started) is not refused here; {@link ClusterJoiner} checks the ids it learns at run time.
 */
public final class ClusterIdCompatChecker extends JoinConfigCompatChecker {
  static final String KEY = "ringstore.cluster.id";

  @Override
  public Seq<String> requiredKeys() {
    return CollectionConverters.asScala(List.of(KEY)).toList();
  }

  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    if (toCheck.hasPath(KEY) && actualConfig.hasPath(KEY)) {
      String theirs = toCheck.getString(KEY);
      String ours = actualConfig.getString(KEY);
      if (!theirs.equals(ours)) {
        return new Invalid(
            CollectionConverters.asScala(
                    List.of(
                        "cluster id "
                            + theirs
                            + " is not this cluster's ("
                            + ours
                            + "): a node of another cluster"))
                .toList());
      }
    }
    return Valid$.MODULE$;
  }
}
