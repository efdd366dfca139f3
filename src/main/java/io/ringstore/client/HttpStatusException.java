package io.ringstore.client;

/**
 * A node answered an {@link HttpStoreClient} request with a status the {@link StoreClient} results
 * have no place for: {@code 401} (no or wrong credentials), {@code 403} (the user lacks the role),
 * or an unexpected one ({@code 500}, {@code 421}, …). The message names the status, the node's
 * error text, the URL and the request id ({@code X-Request-Id}) under which the node logged it.
 */
public final class HttpStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String url;
  private final String requestId;

  public HttpStatusException(int status, String error, String url, String requestId) {
    super(
        status
            + (error == null || error.isBlank() ? "" : " " + error)
            + " from "
            + url
            + (requestId == null ? "" : " (request id " + requestId + ")")
            + explanation(status));
    this.status = status;
    this.url = url;
    this.requestId = requestId;
  }

  private static String explanation(int status) {
    return switch (status) {
      case 401 -> ": the cluster needs credentials (ClientSettings.withCredentials)";
      case 403 -> ": the user lacks the role this request needs";
      default -> "";
    };
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The URL the request went to. */
  public String url() {
    return url;
  }

  /** The node's {@code X-Request-Id} for the request, or null when it sent none. */
  public String requestId() {
    return requestId;
  }
}
