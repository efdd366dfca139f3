package io.ringstore.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A role a user holds. {@code readwrite} includes {@code read}; {@code admin} includes every other
 * role. {@code monitor} is separate from the data roles: it sees the node ({@code /metrics},
 * read-only {@code /admin} views), not the values.
 */
public enum Role {
  /** {@code GET /kv/*}. */
  READ,
  /** {@code read} plus {@code PUT} and {@code DELETE /kv/*}. */
  READWRITE,
  /**
   * {@code /metrics} and the read-only {@code /admin} views (not {@code /admin/replicas/*}, which
   * shows values).
   */
  MONITOR,
  /**
   * Everything: the data, the views, {@code /admin/replicas/*} and the operations ({@code POST
   * /admin/leave}).
   */
  ADMIN;

  /** The role's name in the users file and in messages: {@code read}, {@code readwrite}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a role name; the message lists the valid ones. */
  public static Role parse(String text) {
    for (Role role : values()) {
      if (role.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '"
            + text
            + "' (roles: "
            + Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "))
            + ")");
  }
}
