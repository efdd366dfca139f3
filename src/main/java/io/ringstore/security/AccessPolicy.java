package io.ringstore.security;

import java.util.Locale;

/**
 * The access each HTTP endpoint needs, decided from the method and the decoded path, the same path
 * the routes match on (so {@code /%61dmin/leave} is {@code /admin/leave} here too):
 *
 * <table>
 *   <tr><th>request</th><th>access</th></tr>
 *   <tr><td>{@code /health/*}</td><td>public</td></tr>
 *   <tr><td>{@code GET}/{@code HEAD /kv/*}, {@code GET /settings} (N, R, W, limits)</td>
 *       <td>read</td></tr>
 *   <tr><td>{@code PUT}/{@code DELETE /kv/*}</td><td>write (readwrite)</td></tr>
 *   <tr><td>{@code GET /metrics}, {@code GET /admin/*}, {@code GET /openapi.yaml},
 *       {@code GET /docs/*} (the API's contract and Swagger UI), {@code GET /ui}, {@code /ui/*} (the
 *       web console)</td><td>monitor</td></tr>
 *   <tr><td>{@code /admin/replicas/*} (stored values), any other method on {@code /admin/*}
 *       ({@code POST /admin/leave})</td><td>admin</td></tr>
 *   <tr><td>anything else</td><td>any known user (then the route's 404 or 405)</td></tr>
 * </table>
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  public static Access required(String method, String path) {
    String m = method.toUpperCase(Locale.ROOT);
    boolean reading = m.equals("GET") || m.equals("HEAD");
    if (path.equals("/health") || path.startsWith("/health/")) {
      return Access.PUBLIC;
    }
    if (path.startsWith("/kv/") || path.equals("/kv")) {
      if (reading) {
        return Access.READ;
      }
      return m.equals("PUT") || m.equals("DELETE") ? Access.WRITE : Access.AUTHENTICATED;
    }
    if (path.equals("/settings")) {
      return reading ? Access.READ : Access.AUTHENTICATED;
    }
    if (path.equals("/admin/replicas") || path.startsWith("/admin/replicas/")) {
      return Access.ADMIN;
    }
    if (path.equals("/admin") || path.startsWith("/admin/")) {
      return reading ? Access.MONITOR : Access.ADMIN;
    }
    if (path.equals("/ui") || path.startsWith("/ui/")) {
      return reading ? Access.MONITOR : Access.AUTHENTICATED;
    }
    if (path.equals("/metrics") || path.startsWith("/metrics/")) {
      return reading ? Access.MONITOR : Access.AUTHENTICATED;
    }
    if (path.equals("/openapi.yaml") || path.equals("/docs") || path.startsWith("/docs/")) {
      return reading ? Access.MONITOR : Access.AUTHENTICATED;
    }
    return Access.AUTHENTICATED;
  }
}
