package io.ringstore.version;

/**
 * Thrown by {@link CausalContextCodec#decode(String)} when a client-supplied causal context is not
 * a valid encoded {@link VersionVector}. The message says what is wrong and is safe to return to
 * the client (for example as an HTTP 400 body).
 */
public class InvalidContextException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidContextException(String message) {
    super(message);
  }

  public InvalidContextException(String message, Throwable cause) {
    super(message, cause);
  }
}
