package io.ringstore.storage;

class RocksDbStorageContractTest extends StorageEngineContractTest {

  @Override
  protected StorageEngine newEngine() {
    return RocksDbStorage.open(RocksDbSettings.defaults(tempDir.resolve("db")));
  }
}
