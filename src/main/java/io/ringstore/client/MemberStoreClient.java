package io.ringstore.client;

import java.util.concurrent.CompletionStage;

/** A {@link StoreClient} that is a cluster member with role {@code client}. TODO(member helper). */
final class MemberStoreClient {
  private MemberStoreClient() {}

  static CompletionStage<StoreClient> connect(ClientSettings settings) {
    throw new UnsupportedOperationException("not yet");
  }
}
