package io.ringstore.storage;

class InMemoryStorageContractTest extends StorageEngineContractTest {

  @Override
  protected StorageEngine newEngine() {
    return new InMemoryStorage();
  }
}
