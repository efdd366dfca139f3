package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.cluster.JoinDecision.Decision;
import io.ringstore.cluster.JoinDecision.Form;
import io.ringstore.cluster.JoinDecision.Join;
import io.ringstore.cluster.JoinDecision.PeerState;
import io.ringstore.cluster.JoinDecision.Refuse;
import io.ringstore.cluster.JoinDecision.Status;
import io.ringstore.cluster.JoinDecision.Wait;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a restarted node with cluster history does, from what its peers answer (DESIGN invariant 7).
 */
class JoinDecisionTest {
  static final String A = "127.0.0.1:2551";
  static final String B = "127.0.0.1:2552";
  static final String C = "127.0.0.1:2553";
  static final String ID = "cluster-one";
  static final List<String> ABC = List.of(A, B, C);

  static PeerState member(String node) {
    return new PeerState(node, Status.MEMBER, ID, true, null);
  }

  static PeerState unjoined(String node, String candidate) {
    return new PeerState(node, Status.UNJOINED, ID, true, candidate);
  }

  record Case(
      String name,
      String self,
      List<String> seeds,
      List<PeerState> peers,
      Class<? extends Decision> expected) {}

  @Test
  void decisions() {
    List<Case> cases =
        List.of(
            new Case(
                "the issue's race: node 1 restarts while 2 and 3 are paused (no answers) -> wait, never form",
                A,
                List.of(A),
                List.of(),
                Wait.class),
            new Case(
                "A silent, C answers naming B: 2 of 3 is a majority and B is their lowest -> form",
                B,
                List.of(A),
                List.of(unjoined(C, B)),
                Form.class),
            new Case(
                "a member of the cluster answers -> join it",
                A,
                List.of(A),
                List.of(member(B), unjoined(C, A)),
                Join.class),
            new Case(
                "a peer forming the cluster -> join it",
                B,
                List.of(A),
                List.of(new PeerState(A, Status.FORMING, ID, true, null)),
                Join.class),
            new Case(
                "whole-cluster restart, all answer, this node is lowest and named by all -> form",
                A,
                List.of(A),
                List.of(unjoined(B, A), unjoined(C, A)),
                Form.class),
            new Case(
                "whole-cluster restart, this node is lowest but one peer still names another -> wait",
                A,
                List.of(A),
                List.of(unjoined(B, A), unjoined(C, B)),
                Wait.class),
            new Case(
                "whole-cluster restart, someone lower answered -> wait for it to form",
                C,
                List.of(A),
                List.of(unjoined(A, A), unjoined(B, A)),
                Wait.class),
            new Case(
                "a fresh node (no history) does not vote -> no majority, wait",
                A,
                List.of(A),
                List.of(new PeerState(B, Status.UNJOINED, null, false, null)),
                Wait.class),
            new Case(
                "a peer with another cluster id does not vote -> wait",
                A,
                List.of(A),
                List.of(new PeerState(B, Status.UNJOINED, "other-cluster", true, B)),
                Wait.class),
            new Case(
                "a seed of another cluster -> refuse",
                A,
                List.of(B),
                List.of(new PeerState(B, Status.MEMBER, "other-cluster", true, null)),
                Refuse.class),
            new Case(
                "a remembered member (not a seed) now in another cluster is ignored -> wait",
                A,
                List.of(A),
                List.of(new PeerState(B, Status.MEMBER, "other-cluster", true, null)),
                Wait.class),
            new Case(
                "a member without a known id yet (joined fresh) -> join it",
                A,
                List.of(A),
                List.of(new PeerState(B, Status.MEMBER, null, true, null)),
                Join.class),
            new Case(
                "a leaving peer neither hosts a join nor votes -> wait",
                A,
                List.of(A),
                List.of(new PeerState(B, Status.LEAVING, ID, true, null)),
                Wait.class));
    for (Case c : cases) {
      Decision d = JoinDecision.decide(c.self(), ID, ABC, c.seeds(), c.peers());
      assertInstanceOf(c.expected(), d, c.name() + ": " + d);
    }
  }

  @Test
  void joinGoesThroughMembersFirst_thenEveryOtherPeer_neverThroughItself() {
    Decision d = JoinDecision.decide(A, ID, ABC, List.of(A), List.of(member(C)));
    assertEquals(List.of(C, B), ((Join) d).through());
  }

  @Test
  void aNodeThatOnlyRemembersItselfFormsAlone() {
    assertInstanceOf(Form.class, JoinDecision.decide(A, ID, List.of(A), List.of(A), List.of()));
  }

  @Test
  void aSeedItDoesNotRememberMustAnswerBeforeItForms() {
    assertInstanceOf(
        Wait.class,
        JoinDecision.decide(A, ID, List.of(A), List.of(B), List.of()),
        "a node of another cluster pointed at B must not form its own before B answered");
    assertInstanceOf(
        Refuse.class,
        JoinDecision.decide(
            A,
            ID,
            List.of(A),
            List.of(B),
            List.of(new PeerState(B, Status.MEMBER, "other-cluster", true, null))));
    assertInstanceOf(
        Form.class,
        JoinDecision.decide(
            A,
            ID,
            List.of(A),
            List.of(B),
            List.of(new PeerState(B, Status.UNJOINED, null, false, null))),
        "B answered: fresh, not in a cluster");
  }

  @Test
  void anOldDataDirWithoutIdVotesWithPeersWithoutId() {
    PeerState b = new PeerState(B, Status.UNJOINED, null, true, A);
    assertInstanceOf(Form.class, JoinDecision.decide(A, null, ABC, List.of(A), List.of(b)));
  }

  @Test
  void addressesOrderByHostThenPortNumerically() {
    assertEquals(
        List.of("127.0.0.1:999", "127.0.0.1:25520", "127.0.0.2:1"),
        JoinDecision.targets(
            "x:1", List.of("127.0.0.2:1", "127.0.0.1:25520", "127.0.0.1:999"), List.of()));
  }

  /**
   * Generated: five nodes of one cluster restart; each node's view is a random subset of the
   * others' answers, each answer naming the candidate its sender computed from its own (random)
   * view. However the views fall, at most one node decides to form, and it is the lowest of a
   * majority.
   */
  @Test
  void neverTwoFormersFromAnyViews() {
    List<String> nodes =
        List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4", "127.0.0.1:5");
    Random random = new Random(42);
    for (int run = 0; run < 20_000; run++) {
      // who each node has heard from (symmetric knowledge is not assumed)
      List<Set<String>> heard = new ArrayList<>();
      for (String n : nodes) {
        Set<String> h = new HashSet<>();
        for (String m : nodes) {
          if (!m.equals(n) && random.nextInt(3) > 0) {
            h.add(m);
          }
        }
        heard.add(h);
      }
      List<String> candidates = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        List<PeerState> view = heard.get(i).stream().map(m -> unjoined(m, null)).toList();
        candidates.add(JoinDecision.candidate(nodes.get(i), view));
      }
      int formers = 0;
      for (int i = 0; i < nodes.size(); i++) {
        List<PeerState> view = new ArrayList<>();
        for (String m : heard.get(i)) {
          view.add(unjoined(m, candidates.get(nodes.indexOf(m))));
        }
        Decision d = JoinDecision.decide(nodes.get(i), ID, nodes, List.of(nodes.get(0)), view);
        if (d instanceof Form) {
          formers++;
          assertTrue(view.size() + 1 >= 3, "formed without a majority: " + view);
        }
      }
      assertTrue(formers <= 1, "run " + run + ": " + formers + " nodes would form the cluster");
    }
  }
}
