package io.ringstore.client;

import java.util.concurrent.CompletionStage;

/** A {@link StoreClient} over the nodes' HTTP API. TODO(http helper). */
final class HttpStoreClient {
  private HttpStoreClient() {}

  static CompletionStage<StoreClient> connect(ClientSettings settings) {
    throw new UnsupportedOperationException("not yet");
  }
}
