package io.ringstore.security;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/** One entry of the users file: a name, its roles and its password hash. */
public record User(String name, Set<Role> roles, PasswordHash hash) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,64}");

  public User {
    checkName(name);
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("user '" + name + "' needs at least one role");
    }
    roles = Set.copyOf(EnumSet.copyOf(roles));
  }

  /**
   * Throws with a message fit for the user unless {@code name} is 1-64 of {@code A-Z a-z 0-9 . _ @
   * + -}.
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a user name is 1 to 64 of the characters A-Z a-z 0-9 . _ @ + -"
              + (name == null ? "" : ", got '" + name.replaceAll("\\p{Cntrl}", "?") + "'"));
    }
    return name;
  }
}
