package io.ringstore.ring;

/**
 * Static parameters of the consistent-hash ring: how many fixed partitions the 64-bit key-hash
 * space is cut into, how many virtual tokens every member places on the ring, and how many replicas
 * each partition has.
 *
 * <p>Invariant upheld by the compact constructor: {@code partitionCount} is a power of two in
 * {@code 1..65536} (so a partition is exactly the top {@code log2(partitionCount)} bits of a key
 * hash), and {@code tokensPerMember} and {@code replicationFactor} are at least 1. Every node must
 * use the same config, otherwise they compute different rings.
 *
 * @param partitionCount number of partitions Q, a power of two in 1..65536
 * @param tokensPerMember virtual tokens T placed on the ring per member, at least 1
 * @param replicationFactor replicas N per partition, at least 1
 */
public record RingConfig(int partitionCount, int tokensPerMember, int replicationFactor) {

  /** Default number of partitions Q. */
  public static final int DEFAULT_PARTITION_COUNT = 64;

  /** Default virtual tokens per member T (see {@link Ring} for the measured effect). */
  public static final int DEFAULT_TOKENS_PER_MEMBER = 32;

  /** Default replication factor N. */
  public static final int DEFAULT_REPLICATION_FACTOR = 3;

  /** Largest supported partition count. */
  public static final int MAX_PARTITION_COUNT = 65536;

  /** Validates the parameters; see the class Javadoc for the rules. */
  public RingConfig {
    if (partitionCount < 1
        || partitionCount > MAX_PARTITION_COUNT
        || Integer.bitCount(partitionCount) != 1) {
      throw new IllegalArgumentException(
          "partitionCount must be a power of two in 1.."
              + MAX_PARTITION_COUNT
              + ", was "
              + partitionCount);
    }
    if (tokensPerMember < 1) {
      throw new IllegalArgumentException("tokensPerMember must be >= 1, was " + tokensPerMember);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be >= 1, was " + replicationFactor);
    }
  }

  /** The defaults: Q = 64, T = {@value #DEFAULT_TOKENS_PER_MEMBER}, N = 3. */
  public static RingConfig defaults() {
    return new RingConfig(
        DEFAULT_PARTITION_COUNT, DEFAULT_TOKENS_PER_MEMBER, DEFAULT_REPLICATION_FACTOR);
  }

  /** Defaults for T and Q with the given replication factor. */
  public static RingConfig withReplicationFactor(int replicationFactor) {
    return new RingConfig(DEFAULT_PARTITION_COUNT, DEFAULT_TOKENS_PER_MEMBER, replicationFactor);
  }

  /** {@code log2(partitionCount)}: the number of top hash bits that select a partition. */
  public int partitionBits() {
    return Integer.numberOfTrailingZeros(partitionCount);
  }
}
