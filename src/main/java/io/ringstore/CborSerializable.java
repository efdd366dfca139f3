package io.ringstore;

/**
 * Marker for every message that may cross nodes. Bound to Pekko's {@code jackson-cbor} serializer
 * in {@code reference.conf}; nothing in ringstore is ever sent with Java serialization.
 */
public interface CborSerializable {}
