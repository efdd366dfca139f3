package io.ringstore.handoff;

import io.ringstore.config.RingstoreSettings;
import io.ringstore.storage.ObjectParts;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the hinted-handoff mailbox, validated once when built.
 *
 * @param hintWindow hints older than this (by their creation time) are dropped at the next delivery
 *     round; anti-entropy repairs those keys instead
 * @param maxHintsPerTarget most keys queued for one target replica; further keys are refused
 * @param retryInterval time between delivery rounds while hints are queued
 * @param maxInFlight most hints of one target awaiting an ack at once
 * @param deliveryTimeout how long one delivery waits for the target's ack before it counts as
 *     failed
 * @param maxHintBytes bytes of hints (their encoded objects, on disk) the node holds for all
 *     targets; past it new hints are refused ({@link HintBudget})
 * @param maxHintBytesPerTarget bytes of hints the node holds for one target; past it new hints for
 *     that target are refused
 * @param maxDeliveryBytes bytes of hint values the node's stores read into memory at once to
 *     deliver them (one value is always allowed); further reads wait for the next round
 * @param maxPartBytes a hinted object larger than this (hints of one key merged) is delivered in
 *     parts ({@code io.ringstore.storage.ObjectParts}), each acked
 */
public record HintSettings(
    Duration hintWindow,
    int maxHintsPerTarget,
    Duration retryInterval,
    int maxInFlight,
    Duration deliveryTimeout,
    long maxHintBytes,
    long maxHintBytesPerTarget,
    long maxDeliveryBytes,
    long maxPartBytes) {

  /**
   * The defaults: a 3 h window, 100 000 hints per target, a round every 5 s, 16 in flight, 5 s, 128
   * MiB of hints per node and 32 MiB per target, 32 MiB of values in delivery, parts above two
   * objects of the default {@code max-object-size} (3 MiB).
   */
  public static final HintSettings DEFAULTS =
      new HintSettings(
          Duration.ofHours(3),
          100_000,
          Duration.ofSeconds(5),
          16,
          Duration.ofSeconds(5),
          128L << 20,
          32L << 20,
          32L << 20,
          ObjectParts.partBytes(3L << 20));

  /**
   * The node's {@code ringstore.handoff} settings; the delivery timeout has no key yet and keeps
   * its default (5 s), the values in delivery take at most a sixteenth of the heap.
   */
  public static HintSettings of(RingstoreSettings settings) {
    RingstoreSettings.HandoffSettings handoff = settings.handoff();
    return new HintSettings(
        handoff.hintWindow(),
        handoff.maxHintsPerTarget(),
        handoff.retryInterval(),
        handoff.maxInFlight(),
        DEFAULTS.deliveryTimeout(),
        handoff.maxHintBytes(),
        handoff.maxHintBytesPerTarget(),
        Math.max(1, Runtime.getRuntime().maxMemory() / 16),
        ObjectParts.partBytes(settings.requests().maxObjectBytes()));
  }

  public HintSettings {
    requirePositive(hintWindow, "hint window");
    requirePositive(retryInterval, "retry interval");
    requirePositive(deliveryTimeout, "delivery timeout");
    if (maxHintsPerTarget < 1) {
      throw new IllegalArgumentException(
          "max hints per target must be >= 1 but was " + maxHintsPerTarget);
    }
    if (maxDeliveryBytes < 1) {
      throw new IllegalArgumentException(
          "max delivery bytes must be >= 1 but was " + maxDeliveryBytes);
    }
    if (maxHintBytes < 1 || maxHintBytesPerTarget < 1) {
      throw new IllegalArgumentException(
          "hint byte budgets must be >= 1 but were "
              + maxHintBytes
              + " (node) and "
              + maxHintBytesPerTarget
              + " (per target)");
    }
    if (maxPartBytes < 1) {
      throw new IllegalArgumentException("max part bytes must be >= 1 but was " + maxPartBytes);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in flight must be >= 1 but was " + maxInFlight);
    }
  }

  public HintSettings withHintWindow(Duration value) {
    return new HintSettings(
        value,
        maxHintsPerTarget,
        retryInterval,
        maxInFlight,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withMaxHintsPerTarget(int value) {
    return new HintSettings(
        hintWindow,
        value,
        retryInterval,
        maxInFlight,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withRetryInterval(Duration value) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        value,
        maxInFlight,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withMaxInFlight(int value) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        retryInterval,
        value,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withDeliveryTimeout(Duration value) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        retryInterval,
        maxInFlight,
        value,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withMaxHintBytes(long node, long perTarget) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        retryInterval,
        maxInFlight,
        deliveryTimeout,
        node,
        perTarget,
        maxDeliveryBytes,
        maxPartBytes);
  }

  public HintSettings withMaxDeliveryBytes(long value) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        retryInterval,
        maxInFlight,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        value,
        maxPartBytes);
  }

  public HintSettings withMaxPartBytes(long value) {
    return new HintSettings(
        hintWindow,
        maxHintsPerTarget,
        retryInterval,
        maxInFlight,
        deliveryTimeout,
        maxHintBytes,
        maxHintBytesPerTarget,
        maxDeliveryBytes,
        value);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive but was " + d);
    }
  }
}
