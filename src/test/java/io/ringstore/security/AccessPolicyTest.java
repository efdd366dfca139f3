package io.ringstore.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The role table of issue 11 as {@link AccessPolicy} and {@link Access} decide it. */
class AccessPolicyTest {
  @Test
  void eachRequestNeedsTheAccessOfTheTable() {
    Object[][] table = {
      {"GET", "/health/ready", Access.PUBLIC},
      {"GET", "/health/alive", Access.PUBLIC},
      {"GET", "/health", Access.PUBLIC},
      {"GET", "/kv/a", Access.READ},
      {"HEAD", "/kv/a", Access.READ},
      {"PUT", "/kv/a", Access.WRITE},
      {"DELETE", "/kv/a", Access.WRITE},
      {"POST", "/kv/a", Access.AUTHENTICATED},
      {"GET", "/settings", Access.READ},
      {"POST", "/settings", Access.AUTHENTICATED},
      {"GET", "/settingsx", Access.AUTHENTICATED},
      {"GET", "/metrics", Access.MONITOR},
      {"GET", "/admin/cluster", Access.MONITOR},
      {"GET", "/admin/transfers", Access.MONITOR},
      {"GET", "/openapi.yaml", Access.MONITOR},
      {"GET", "/docs", Access.MONITOR},
      {"GET", "/docs/swagger-ui.css", Access.MONITOR},
      {"POST", "/docs", Access.AUTHENTICATED},
      {"GET", "/docsx", Access.AUTHENTICATED},
      {"GET", "/admin/stats", Access.MONITOR},
      {"GET", "/ui", Access.MONITOR},
      {"GET", "/ui/console.js", Access.MONITOR},
      {"POST", "/ui", Access.AUTHENTICATED},
      {"GET", "/uix", Access.AUTHENTICATED},
      {"GET", "/admin/replicas/a", Access.ADMIN},
      {"GET", "/admin/replicas", Access.ADMIN},
      {"POST", "/admin/leave", Access.ADMIN},
      {"PUT", "/admin/anything", Access.ADMIN},
      {"GET", "/", Access.AUTHENTICATED},
      {"GET", "/healthy", Access.AUTHENTICATED},
      {"GET", "/kvx", Access.AUTHENTICATED},
      {"GET", "/administrator", Access.AUTHENTICATED},
    };
    for (Object[] row : table) {
      assertEquals(
          row[2], AccessPolicy.required((String) row[0], (String) row[1]), row[0] + " " + row[1]);
    }
  }

  @Test
  void rolesGrantTheirAccessAndNoMore() {
    assertTrue(Access.READ.grantedTo(Set.of(Role.READ)));
    assertTrue(Access.READ.grantedTo(Set.of(Role.READWRITE)));
    assertFalse(Access.READ.grantedTo(Set.of(Role.MONITOR)));
    assertFalse(Access.WRITE.grantedTo(Set.of(Role.READ)));
    assertTrue(Access.WRITE.grantedTo(Set.of(Role.READ, Role.READWRITE)));
    assertFalse(Access.MONITOR.grantedTo(Set.of(Role.READWRITE)));
    assertFalse(Access.ADMIN.grantedTo(Set.of(Role.READ, Role.READWRITE, Role.MONITOR)));
    for (Access access : Access.values()) {
      assertTrue(access.grantedTo(Set.of(Role.ADMIN)), "admin has " + access);
      assertFalse(
          access.grantedTo(EnumSet.noneOf(Role.class))
              && access != Access.PUBLIC
              && access != Access.AUTHENTICATED,
          "no roles, no " + access);
    }
  }

  @Test
  void rolesParseFromTheirLabels() {
    for (Role role : Role.values()) {
      assertEquals(role, Role.parse(role.label()));
    }
  }
}
