package io.ringstore.security;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** What a request needs, as {@link AccessPolicy} decides it, and which roles grant it. */
public enum Access {
  /** Open to anyone, without credentials ({@code /health/*}, for load balancers). */
  PUBLIC(EnumSet.allOf(Role.class)),
  /** Any known user (a path no route serves: its 404 is not shown to strangers). */
  AUTHENTICATED(EnumSet.allOf(Role.class)),
  READ(EnumSet.of(Role.READ, Role.READWRITE, Role.ADMIN)),
  WRITE(EnumSet.of(Role.READWRITE, Role.ADMIN)),
  MONITOR(EnumSet.of(Role.MONITOR, Role.ADMIN)),
  ADMIN(EnumSet.of(Role.ADMIN));

  @SuppressWarnings("ImmutableEnumChecker") // an unmodifiable view of an EnumSet only it holds
  private final Set<Role> grantedBy;

  Access(Set<Role> grantedBy) {
    this.grantedBy = Collections.unmodifiableSet(grantedBy);
  }

  /** Whether a user holding {@code roles} has this access. */
  public boolean grantedTo(Set<Role> roles) {
    for (Role role : roles) {
      if (grantedBy.contains(role)) {
        return true;
      }
    }
    return false;
  }

  /** The roles that grant it, least powerful first (for a 403's message). */
  public Set<Role> grantedBy() {
    return grantedBy;
  }
}
