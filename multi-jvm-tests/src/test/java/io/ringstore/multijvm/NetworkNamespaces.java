package io.ringstore.multijvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network of one test: a Linux bridge in the root network namespace with the address
 * {@code 10.213.S.1/24} (S picked at random among the subnets no interface uses yet), and per node
 * a network namespace with {@code lo} up and a veth pair, one end inside it with {@code
 * 10.213.S.(i+1)/24} and the other end attached to the bridge. A node runs in its namespace through
 * {@code ip netns exec <namespace>} (see {@link #host(int)}), which execs the launcher, so the node
 * JVM's pid and signals (kill -9, SIGSTOP) are unchanged. The test JVM reaches every node through
 * the bridge.
 *
 * <p>{@link #cut(NodeProcess)} takes a node's bridge-side veth down: the node can reach neither the
 * other nodes nor the test JVM (packets are dropped, connections time out, as in a real partition);
 * {@link #heal(NodeProcess)} takes it up again.
 *
 * <p>Needs root and iproute2 ({@code ip netns}); nothing else (no iptables). {@link #create} fails
 * the test with the reason when it cannot build the network; it never skips. Interface and
 * namespace names start with {@code rsn} and a random id of the run ({@code rsn1a2bbr}, {@code
 * rsn1a2bh1}, {@code rsn1a2bp1}, namespace {@code rsn1a2b-1}), all at most 15 characters.
 * Everything created is deleted by {@link #close()}, which {@link LocalCluster} calls after it has
 * stopped the nodes, pass or fail (deleting a namespace deletes its veth pair); a JVM shutdown hook
 * deletes what is left if the test JVM exits first.
 */
public final class NetworkNamespaces implements AutoCloseable {
  private static final String PREFIX = "rsn";
  private static final Set<NetworkNamespaces> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> OPEN.forEach(NetworkNamespaces::closeQuietly), "ringstore-netns-reaper"));
  }

  private final String id;
  private final int subnet;
  private final String bridge;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> veths = new ArrayList<>();
  private boolean bridgeCreated;
  private boolean closed;

  private NetworkNamespaces(String id, int subnet) {
    this.id = id;
    this.subnet = subnet;
    this.bridge = PREFIX + id + "br";
  }

  /**
   * Builds the bridge and {@code count} namespaces, registered with {@code cluster} so that they
   * are deleted after its nodes are stopped. Fails (never skips) when that is not possible, saying
   * why.
   */
  public static NetworkNamespaces create(LocalCluster cluster, int count) {
    if (count < 1 || count > 200) {
      throw new IllegalArgumentException("1..200 namespaces, not " + count);
    }
    requireIpAndRoot();
    String id = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
    NetworkNamespaces net = cluster.closeAfterNodes(new NetworkNamespaces(id, freeSubnet()));
    OPEN.add(net);
    net.build(count);
    return net;
  }

  /**
   * Where node {@code i} (1-based) runs: its address and {@code ip netns exec <its namespace>}. Its
   * address is not loopback, so the node starts with {@code --insecure}: this private test network
   * is plain on purpose (SecureClusterIT covers TLS), and a node would refuse to start on it
   * otherwise.
   */
  public NodeHost host(int i) {
    return new NodeHost(
        address(i), List.of("ip", "netns", "exec", namespace(i)), List.of("--insecure"));
  }

  /** The address of node {@code i} (1-based): {@code 10.213.S.(i+1)}. */
  public String address(int i) {
    checkIndex(i);
    return "10.213." + subnet + "." + (i + 1);
  }

  /** The bridge's address in the root namespace, through which the test JVM reaches the nodes. */
  public String bridgeAddress() {
    return "10.213." + subnet + ".1";
  }

  public String namespace(int i) {
    checkIndex(i);
    return PREFIX + id + "-" + i;
  }

  /** The bridge-side end of node {@code i}'s veth pair. */
  public String bridgeVeth(int i) {
    checkIndex(i);
    return PREFIX + id + "h" + i;
  }

  /**
   * Isolates {@code node} from every other node and from the test JVM: its bridge-side veth goes
   * down.
   */
  public void cut(NodeProcess node) {
    ip("link", "set", bridgeVeth(indexOf(node)), "down");
  }

  /** Undoes {@link #cut(NodeProcess)}: the node's bridge-side veth goes up. */
  public void heal(NodeProcess node) {
    ip("link", "set", bridgeVeth(indexOf(node)), "up");
  }

  /** Deletes every namespace (with its veth pair) and the bridge; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    OPEN.remove(this);
    List<String> failures = new ArrayList<>();
    // The veth pairs first (deleting one end deletes both): a deleted namespace lives on, unnamed,
    // while closed TCP sockets of its dead processes still retransmit to a cut peer, and its veth
    // would stay with it.
    List<String> reversedVeths = new ArrayList<>(veths);
    Collections.reverse(reversedVeths);
    reversedVeths.forEach(veth -> run(failures, "link", "delete", veth));
    veths.clear();
    List<String> reversed = new ArrayList<>(namespaces);
    Collections.reverse(reversed);
    reversed.forEach(ns -> run(failures, "netns", "delete", ns));
    namespaces.clear();
    if (bridgeCreated) {
      run(failures, "link", "delete", bridge);
      bridgeCreated = false;
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("could not delete all of network " + this + ": " + failures);
    }
  }

  @Override
  public String toString() {
    return "NetworkNamespaces[" + PREFIX + id + ", 10.213." + subnet + ".0/24, " + namespaces + "]";
  }

  private synchronized void build(int count) {
    ip("link", "add", bridge, "type", "bridge");
    bridgeCreated = true;
    ip("address", "add", bridgeAddress() + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    for (int i = 1; i <= count; i++) {
      String ns = PREFIX + id + "-" + i;
      String outside = PREFIX + id + "h" + i;
      String inside = PREFIX + id + "p" + i;
      ip("netns", "add", ns);
      namespaces.add(ns);
      ip("-n", ns, "link", "set", "lo", "up");
      ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns);
      veths.add(outside);
      ip("link", "set", outside, "master", bridge, "up");
      ip("-n", ns, "address", "add", address(i) + "/24", "dev", inside);
      ip("-n", ns, "link", "set", inside, "up");
    }
  }

  private int indexOf(NodeProcess node) {
    for (int i = 1; i <= namespaces.size(); i++) {
      if (address(i).equals(node.host().address())) {
        return i;
      }
    }
    throw new IllegalArgumentException(node + " does not run in " + this);
  }

  private void checkIndex(int i) {
    if (i < 1 || i > 253) {
      throw new IllegalArgumentException("node index 1..253, not " + i);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("[multi-jvm] " + e.getMessage());
    }
  }

  private static void requireIpAndRoot() {
    Result version;
    try {
      version = exec(List.of("ip", "-V"));
    } catch (IOException e) {
      throw new AssertionError(
          "network partition tests need iproute2's `ip` on the PATH "
              + "(apt-get install iproute2): "
              + e.getMessage(),
          e);
    }
    if (version.status() != 0) {
      throw new AssertionError("`ip -V` failed: " + version.output());
    }
    Result uid = execOrFail(List.of("id", "-u"));
    if (!uid.output().strip().equals("0")) {
      throw new AssertionError(
          "network partition tests create network namespaces and a bridge "
              + "(`ip netns add`, `ip link add`), which needs root; this test runs as uid "
              + uid.output().strip());
    }
  }

  /** A subnet 10.213.S.0/24 that no interface or route of the root namespace uses now. */
  private static int freeSubnet() {
    String used =
        execOrFail(List.of("ip", "-4", "-o", "address", "show")).output()
            + execOrFail(List.of("ip", "-4", "route", "show")).output();
    for (int attempt = 0; attempt < 100; attempt++) {
      int s = ThreadLocalRandom.current().nextInt(1, 255);
      if (!used.contains("10.213." + s + ".")) {
        return s;
      }
    }
    throw new AssertionError("no free subnet 10.213.S.0/24 in the root namespace:\n" + used);
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Result result = execOrFail(command);
    if (result.status() != 0) {
      throw new AssertionError(
          "`"
              + String.join(" ", command)
              + "` failed (status "
              + result.status()
              + "): "
              + result.output().strip()
              + " -- network partition tests need root and iproute2 (ip netns, veth, bridge)");
    }
  }

  private static void run(List<String> failures, String... args) {
    try {
      ip(args);
    } catch (AssertionError e) {
      failures.add(e.getMessage());
    }
  }

  private record Result(int status, String output) {}

  private static Result execOrFail(List<String> command) {
    try {
      return exec(command);
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
    }
  }

  private static Result exec(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out after 30 s");
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
