package io.ringstore.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One value of a key's versioned object: the bytes a client wrote and their content type, or a
 * tombstone left by a delete. Compares by content (a record holding a {@code byte[]} would compare
 * by identity), so that DVV merges recognise equal siblings.
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the contents
public record Sibling(byte[] data, String contentType, boolean tombstone) {
  public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  public Sibling {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(contentType, "contentType");
  }

  public static Sibling value(byte[] data, String contentType) {
    return new Sibling(data, contentType, false);
  }

  public static Sibling newTombstone() {
    return new Sibling(new byte[0], "", true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sibling s
        && tombstone == s.tombstone
        && contentType.equals(s.contentType)
        && Arrays.equals(data, s.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(data) + contentType.hashCode()) + Boolean.hashCode(tombstone);
  }

  @Override
  public String toString() {
    return tombstone
        ? "Sibling[tombstone]"
        : "Sibling[" + data.length + " bytes, " + contentType + "]";
  }
}
