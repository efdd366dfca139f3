package io.ringstore.security;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The users of a users file, by name (immutable). */
public record Users(Map<String, User> byName) {
  public static final Users NONE = new Users(Map.of());

  public Users {
    byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  public static Users of(Collection<User> users) {
    return new Users(
        users.stream()
            .collect(
                Collectors.toMap(
                    User::name,
                    Function.identity(),
                    (a, b) -> {
                      throw new IllegalArgumentException("user '" + a.name() + "' is listed twice");
                    },
                    LinkedHashMap::new)));
  }

  public Optional<User> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public int size() {
    return byName.size();
  }

  /** A copy with {@code user} added, or replacing the user of its name. */
  public Users with(User user) {
    Map<String, User> copy = new LinkedHashMap<>(byName);
    copy.put(user.name(), user);
    return new Users(copy);
  }

  /** A copy without the user of that name. */
  public Users without(String name) {
    Map<String, User> copy = new LinkedHashMap<>(byName);
    copy.remove(name);
    return new Users(copy);
  }

  /**
   * The iteration count a check for an unknown user runs with, so that it costs what checking a
   * wrong password costs: the most common count in the file (the default when it is empty).
   */
  public int typicalIterations() {
    return byName.values().stream()
        .collect(Collectors.groupingBy(u -> u.hash().iterations(), Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(PasswordHash.DEFAULT_ITERATIONS);
  }
}
