package io.ringstore.bench;

/**
 * One worker's way to the store: a synchronous read and write of a key. Not thread-safe: each
 * worker owns one.
 */
interface Connection {

  /**
   * What a request returned: success, or the kind of failure; the causal context when one came
   * back.
   */
  record Result(
      boolean ok, String errorKind, String context, boolean siblings, boolean connectionRefused) {
    static Result ok(String context, boolean siblings) {
      return new Result(true, null, context, siblings, false);
    }

    static Result failed(String kind) {
      return new Result(false, kind, null, false, false);
    }

    static Result refused(String kind) {
      return new Result(false, kind, null, false, true);
    }

    /**
     * A failed answer: {@code unauthorized} (401), {@code forbidden} (403), else {@code
     * http-<status>}.
     */
    static Result failedWith(int status) {
      return failed(
          switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            default -> "http-" + status;
          });
    }
  }

  /**
   * Reads {@code key}; a {@code 404} is a failure ({@code http-404}): the records should be loaded.
   */
  Result read(String key) throws InterruptedException;

  /** Writes {@code value} to {@code key} with {@code context} (null for none). */
  Result write(String key, byte[] value, String context) throws InterruptedException;

  /**
   * Like {@link #read} but a missing key is a success with no context (a read-modify-write's read).
   */
  Result readForUpdate(String key) throws InterruptedException;
}
