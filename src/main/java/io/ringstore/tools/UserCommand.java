package io.ringstore.tools;

import io.ringstore.security.PasswordHash;
import io.ringstore.security.Role;
import io.ringstore.security.User;
import io.ringstore.security.Users;
import io.ringstore.security.UsersFile;
import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code bin/ringstore user}: adds, removes and lists the users of a users file ({@link UsersFile})
 * and sets their passwords, which it stores only as salted PBKDF2 hashes. Every change is written
 * atomically and owner-only; a node that uses the file picks it up within its reload interval, so
 * no restart is needed. Exit codes: 0 done, 1 the file or the user is not as the command needs it,
 * 2 bad options (message and usage on stderr).
 */
public final class UserCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE_ERROR = 2;
  static final String USERS_FILE_ENV = "RINGSTORE_USERS_FILE";

  /** Random bytes of a generated password: 32 base64url characters. */
  static final int GENERATED_PASSWORD_BYTES = 24;

  static final String USAGE =
      """
      usage: ringstore user add NAME --role ROLE[,ROLE...] [--file FILE] [--password-file F | \
      --generate-password] [--iterations N] [--replace]
             ringstore user passwd NAME [--file FILE] [--password-file F | --generate-password] \
      [--iterations N]
             ringstore user remove NAME [--file FILE]
             ringstore user list [--file FILE]
        add      adds a user with its roles (read, readwrite, monitor, admin); --replace replaces a user
                 of that name (roles and password), otherwise an existing name is an error
        passwd   sets a new password, keeping the roles
        remove   removes a user
        list     prints each user's name and roles
        --file               the users file (default $RINGSTORE_USERS_FILE); add creates it if missing
        --password-file F    the password is the first line of F
        --generate-password  a random password, printed once
                             (neither: asked twice on the terminal)
        --iterations N       PBKDF2 iterations (default 600000)
      Nodes reload the users file within ringstore.http.auth.reload-interval (2 s): no restart needed.""";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> PASSWORD_OPTIONS =
      List.of("--password-file", "--generate-password", "--iterations");

  /**
   * Asks for a password on the operator's terminal without echoing it; empty when there is none.
   */
  interface Prompt {
    Optional<char[]> readPassword(String prompt);
  }

  /** The parsed command line; {@code name} is empty for {@code list}. */
  private record Options(
      String command,
      String name,
      Set<Role> roles,
      Optional<Path> file,
      Optional<Path> passwordFile,
      boolean generatePassword,
      int iterations,
      boolean replace) {}

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Prompt prompt;

  UserCommand(PrintStream out, PrintStream err, Map<String, String> env, Prompt prompt) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.prompt = prompt;
  }

  @SuppressWarnings("SystemConsoleNull") // Java 17: null is how it says there is no terminal
  public static void main(String[] args) {
    Console console = System.console();
    Prompt prompt =
        text ->
            console == null
                ? Optional.empty()
                : Optional.ofNullable(console.readPassword("%s", text));
    System.exit(new UserCommand(System.out, System.err, System.getenv(), prompt).run(args));
  }

  /** Runs one command and returns its exit code. */
  int run(String... args) {
    if (args.length == 1 && List.of("-h", "--help", "help").contains(args[0])) {
      out.println(USAGE);
      return OK;
    }
    Options options;
    Path file;
    try {
      options = parse(args);
      file =
          options
              .file()
              .or(
                  () ->
                      Optional.ofNullable(env.get(USERS_FILE_ENV))
                          .filter(f -> !f.isBlank())
                          .map(Path::of))
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "user "
                              + options.command()
                              + ": no users file: pass --file FILE or set "
                              + USERS_FILE_ENV))
              .toAbsolutePath();
    } catch (IllegalArgumentException e) {
      err.println("ringstore: " + e.getMessage());
      err.println(USAGE);
      return USAGE_ERROR;
    }
    try {
      return switch (options.command()) {
        case "add" -> add(file, options);
        case "passwd" -> passwd(file, options);
        case "remove" -> remove(file, options.name());
        default -> list(file);
      };
    } catch (UsageException e) {
      err.println("ringstore: " + e.getMessage());
      return USAGE_ERROR;
    } catch (IllegalArgumentException e) {
      err.println("ringstore: " + e.getMessage());
      return FAILED;
    }
  }

  private int add(Path file, Options options) {
    Users users = Files.exists(file) ? UsersFile.load(file) : Users.NONE;
    if (users.find(options.name()).isPresent() && !options.replace()) {
      throw new IllegalArgumentException(
          "user '"
              + options.name()
              + "' exists in "
              + file
              + " (--replace to replace it, or `user passwd` to change only its password)");
    }
    boolean replacing = users.find(options.name()).isPresent();
    Secret secret = password(options);
    User user =
        new User(
            options.name(),
            options.roles(),
            PasswordHash.create(secret.password(), options.iterations()));
    UsersFile.write(file, users.with(user));
    out.println(
        (replacing ? "replaced" : "added")
            + " user '"
            + user.name()
            + "' with role "
            + labels(user.roles())
            + " in "
            + file
            + "; "
            + reloadNote());
    showIfGenerated(secret, user.name());
    return OK;
  }

  private int passwd(Path file, Options options) {
    Users users = UsersFile.load(file);
    User old = users.find(options.name()).orElseThrow(() -> absent(options.name(), file));
    Secret secret = password(options);
    UsersFile.write(
        file,
        users.with(
            new User(
                old.name(),
                old.roles(),
                PasswordHash.create(secret.password(), options.iterations()))));
    out.println(
        "set the password of user '"
            + old.name()
            + "' (role "
            + labels(old.roles())
            + ") in "
            + file
            + "; "
            + reloadNote());
    showIfGenerated(secret, old.name());
    return OK;
  }

  private int remove(Path file, String name) {
    Users users = UsersFile.load(file);
    if (users.find(name).isEmpty()) {
      throw absent(name, file);
    }
    Users left = users.without(name);
    UsersFile.write(file, left);
    out.println("removed user '" + name + "' from " + file + "; " + reloadNote());
    if (left.byName().values().stream().noneMatch(u -> u.roles().contains(Role.ADMIN))) {
      err.println("ringstore: warning: no user in " + file + " has the role admin any more");
    }
    return OK;
  }

  private int list(Path file) {
    Users users = UsersFile.load(file);
    if (users.size() == 0) {
      out.println("no users in " + file);
      return OK;
    }
    int width =
        Math.max(4, users.byName().keySet().stream().mapToInt(String::length).max().orElse(0));
    out.printf("%-" + width + "s  %s%n", "USER", "ROLES");
    users.byName().values().stream()
        .sorted((a, b) -> a.name().compareTo(b.name()))
        .forEach(u -> out.printf("%-" + width + "s  %s%n", u.name(), labels(u.roles())));
    return OK;
  }

  /** A password and whether it was generated here (and so must be shown, once). */
  private record Secret(String password, boolean generated) {}

  /** Prints a generated password after the file holds its hash; it is not kept anywhere else. */
  private void showIfGenerated(Secret secret, String name) {
    if (secret.generated()) {
      out.println(
          "password of '" + name + "' (shown only this once; store it now): " + secret.password());
    }
  }

  private Secret password(Options options) {
    if (options.generatePassword()) {
      byte[] bytes = new byte[GENERATED_PASSWORD_BYTES];
      RANDOM.nextBytes(bytes);
      return new Secret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), true);
    }
    if (options.passwordFile().isPresent()) {
      return new Secret(ClientCredentials.passwordFileLine(options.passwordFile().get()), false);
    }
    String subject = "'" + options.name() + "'";
    char[] first =
        prompt
            .readPassword("password of " + subject + ": ")
            .orElseThrow(
                () ->
                    new UsageException(
                        "no terminal to ask for the password: use "
                            + "--password-file FILE or --generate-password"));
    char[] second =
        prompt
            .readPassword("the password of " + subject + " again: ")
            .orElseThrow(() -> new UsageException("no terminal to ask for the password again"));
    try {
      if (!Arrays.equals(first, second)) {
        throw new IllegalArgumentException("the two passwords differ; nothing was changed");
      }
      if (first.length == 0) {
        throw new IllegalArgumentException("the password is empty; nothing was changed");
      }
      return new Secret(new String(first), false);
    } finally {
      Arrays.fill(first, '\0');
      Arrays.fill(second, '\0');
    }
  }

  private static IllegalArgumentException absent(String name, Path file) {
    return new IllegalArgumentException("no user '" + name + "' in " + file);
  }

  private static String labels(Set<Role> roles) {
    return roles.stream().sorted().map(Role::label).collect(Collectors.joining(","));
  }

  private static String reloadNote() {
    return "nodes using this file pick the change up within ringstore.http.auth.reload-interval "
        + "(2 s by default), no restart needed";
  }

  /** Parses {@code COMMAND [NAME] OPTIONS...}; throws with a message fit for the operator. */
  private static Options parse(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("user: a command is needed (add, passwd, remove or list)");
    }
    String command = args[0];
    List<String> allowed =
        switch (command) {
          case "add" ->
              List.of(
                  "--role",
                  "--file",
                  "--password-file",
                  "--generate-password",
                  "--iterations",
                  "--replace");
          case "passwd" ->
              List.of("--file", "--password-file", "--generate-password", "--iterations");
          case "remove", "list" -> List.of("--file");
          default ->
              throw new IllegalArgumentException(
                  "user: unknown command '" + command + "' (add, passwd, remove or list)");
        };
    List<String> positional = new ArrayList<>();
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Optional<Path> file = Optional.empty();
    Optional<Path> passwordFile = Optional.empty();
    boolean generate = false;
    boolean replace = false;
    int iterations = PasswordHash.DEFAULT_ITERATIONS;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!allowed.contains(option)) {
        throw new IllegalArgumentException(
            "user "
                + command
                + ": unknown option '"
                + option
                + "'"
                + (PASSWORD_OPTIONS.contains(option) || option.equals("--role")
                    ? " (" + command + " takes no password or role)"
                    : ""));
      }
      if (option.equals("--generate-password") || option.equals("--replace")) {
        if (arg.contains("=")) {
          throw new IllegalArgumentException("user " + command + ": " + option + " takes no value");
        }
        generate |= option.equals("--generate-password");
        replace |= option.equals("--replace");
        continue;
      }
      String value;
      if (arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(
            "user " + command + ": option " + option + " needs a value");
      }
      if (value.isBlank()) {
        throw new IllegalArgumentException(
            "user " + command + ": " + option + " must not be empty");
      }
      switch (option) {
        case "--role" -> {
          for (String role : value.split(",", -1)) {
            if (!role.isBlank()) {
              roles.add(Role.parse(role));
            }
          }
        }
        case "--file" -> file = Optional.of(Path.of(value));
        case "--password-file" -> passwordFile = Optional.of(Path.of(value));
        case "--iterations" -> iterations = iterations(value);
        default -> throw new IllegalStateException("option " + option + " allowed but not handled");
      }
    }
    boolean named = !command.equals("list");
    if (positional.size() != (named ? 1 : 0)) {
      throw new IllegalArgumentException(
          named
              ? "user " + command + ": expects exactly one user NAME, got " + positional.size()
              : "user list: expects no NAME, got '" + positional.get(0) + "'");
    }
    String name = named ? User.checkName(positional.get(0)) : "";
    if (command.equals("add") && roles.isEmpty()) {
      throw new IllegalArgumentException(
          "user add: --role ROLE[,ROLE...] is required (roles: "
              + Arrays.stream(Role.values()).map(Role::label).collect(Collectors.joining(", "))
              + ")");
    }
    if (generate && passwordFile.isPresent()) {
      throw new IllegalArgumentException(
          "user " + command + ": --password-file and --generate-password exclude each other");
    }
    return new Options(command, name, roles, file, passwordFile, generate, iterations, replace);
  }

  private static int iterations(String text) {
    try {
      int n = Integer.parseInt(text);
      if (n >= PasswordHash.MIN_ITERATIONS && n <= PasswordHash.MAX_ITERATIONS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--iterations expects a number in "
            + PasswordHash.MIN_ITERATIONS
            + ".."
            + PasswordHash.MAX_ITERATIONS
            + ", got '"
            + text
            + "'");
  }

  /** An option problem found only once the command runs (no terminal to prompt on): exit 2. */
  private static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }
}
