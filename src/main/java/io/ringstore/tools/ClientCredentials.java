package io.ringstore.tools;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * A user's credentials for a node's HTTP API, as the command-line clients ({@code status}, {@code
 * leave}, {@code check}, {@code bench}) send them: the value of an {@code Authorization: Basic}
 * header (base64 of {@code name:password} in UTF-8). They come from {@code --user NAME[:PASSWORD]}
 * and {@code --password-file FILE} ({@link Options}), else from {@code RINGSTORE_USER} and {@code
 * RINGSTORE_PASSWORD}; a user without a password is asked for it on the console when there is one.
 * The password is kept only inside the header value: {@link #toString()} and every message name the
 * user, never the password.
 */
public final class ClientCredentials {
  /** Environment variable with the user name, when {@code --user} is not given. */
  public static final String USER_ENV = "RINGSTORE_USER";

  /**
   * Environment variable with the password, when neither {@code --user N:P} nor a file gives one.
   */
  public static final String PASSWORD_ENV = "RINGSTORE_PASSWORD";

  /** Asks for a password; null when it cannot (no console) or the input ended. */
  @FunctionalInterface
  public interface Prompt {
    char[] readPassword(String prompt);

    /** The console's {@code readPassword} (no echo), or null without a console. */
    @SuppressWarnings("SystemConsoleNull") // Java 17: null is how it says there is no terminal
    Prompt CONSOLE =
        prompt -> {
          Console console = System.console();
          return console == null ? null : console.readPassword("%s", prompt);
        };

    /** Never asks (tests, and runs that must not block on input). */
    Prompt NONE = prompt -> null;
  }

  private final String user;
  private final String authorization;

  @SuppressWarnings("ByteBufferBackingArray") // wipes the encoder's whole array, offset or not
  private ClientCredentials(String user, char[] password) {
    this.user = user;
    char[] pair = new char[user.length() + 1 + password.length];
    user.getChars(0, user.length(), pair, 0);
    pair[user.length()] = ':';
    System.arraycopy(password, 0, pair, user.length() + 1, password.length);
    ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pair));
    byte[] bytes = new byte[utf8.remaining()];
    utf8.get(bytes);
    this.authorization = "Basic " + Base64.getEncoder().encodeToString(bytes);
    Arrays.fill(pair, '\0');
    Arrays.fill(bytes, (byte) 0);
    if (utf8.hasArray()) {
      Arrays.fill(utf8.array(), (byte) 0);
    }
  }

  /**
   * Credentials of {@code user} with {@code password}; the user name must not be empty nor hold
   * ':'.
   */
  public static ClientCredentials of(String user, char[] password) {
    if (user == null || user.isEmpty() || user.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "a user name must be non-empty and without ':', got '" + user + "'");
    }
    return new ClientCredentials(user, password);
  }

  /** The user name, for messages. */
  public String user() {
    return user;
  }

  /** The value of the {@code Authorization} header: {@code Basic base64(user:password)}. */
  public String authorization() {
    return authorization;
  }

  @Override
  public String toString() {
    return "user " + user;
  }

  /**
   * The one line for a node's refusal of a request of {@code command} (which needs {@code role}): a
   * {@code 401} (no or wrong credentials) or {@code 403} (a user without that role); empty for any
   * other status.
   */
  public static Optional<String> refusal(
      Optional<ClientCredentials> credentials,
      String url,
      int status,
      String command,
      String role) {
    if (status == 401) {
      return Optional.of(
          credentials
              .map(
                  c ->
                      "node at "
                          + url
                          + " refused the credentials of user "
                          + c.user()
                          + " (401 unauthorized): wrong user name or password?")
              .orElse(
                  "node at "
                      + url
                      + " requires credentials (401 unauthorized): give --user NAME and "
                      + "--password-file FILE, or set "
                      + USER_ENV
                      + " and "
                      + PASSWORD_ENV));
    }
    if (status == 403) {
      return Optional.of(
          "node at "
              + url
              + " refused "
              + command
              + " to "
              + credentials.map(ClientCredentials::toString).orElse("anonymous")
              + " (403 forbidden): "
              + command
              + " needs a user with the role "
              + role
              + (role.equals("admin") ? "" : " (or admin)"));
    }
    return Optional.empty();
  }

  /**
   * What the command line said about credentials, before any file is read: {@code --user
   * NAME[:PASSWORD]} and {@code --password-file FILE}. Its {@code toString()} does not show a
   * password given inline.
   */
  public record Options(Optional<String> user, Optional<Path> passwordFile) {
    public static final Options NONE = new Options(Optional.empty(), Optional.empty());

    /** True for the options this record takes. */
    public static boolean takes(String option) {
      return option.equals("--user") || option.equals("--password-file");
    }

    /**
     * These options with {@code option value} added; an IllegalArgumentException for an empty
     * value.
     */
    public Options with(String option, String value) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(option + " must not be empty");
      }
      return switch (option) {
        case "--user" -> {
          if (value.startsWith(":")) {
            throw new IllegalArgumentException("--user needs a name before the ':'");
          }
          yield new Options(Optional.of(value), passwordFile);
        }
        case "--password-file" -> new Options(user, Optional.of(Path.of(value)));
        default -> throw new IllegalArgumentException("unknown option '" + option + "'");
      };
    }

    /**
     * The credentials these options and {@code env} give, or empty when no user is named (neither
     * {@code --user} nor {@code RINGSTORE_USER}). The password: the one in {@code --user
     * NAME:PASSWORD}, else the first line of {@code --password-file}, else {@code
     * RINGSTORE_PASSWORD}, else {@code prompt}'s answer. Throws IllegalArgumentException, fit for
     * the user, when the password file cannot be read or is empty, when two options give a
     * password, or when there is none.
     */
    public Optional<ClientCredentials> resolve(Map<String, String> env, Prompt prompt) {
      Optional<String> named =
          user.or(() -> Optional.ofNullable(env.get(USER_ENV)).filter(u -> !u.isEmpty()));
      if (named.isEmpty()) {
        if (passwordFile.isPresent()) {
          throw new IllegalArgumentException(
              "--password-file needs --user NAME (or " + USER_ENV + ")");
        }
        return Optional.empty();
      }
      String text = named.get();
      int colon = text.indexOf(':');
      String name = colon < 0 ? text : text.substring(0, colon);
      char[] password;
      if (colon >= 0) {
        if (passwordFile.isPresent()) {
          throw new IllegalArgumentException(
              "--user " + name + ":... and --password-file both give a " + "password; give one");
        }
        password = text.substring(colon + 1).toCharArray();
      } else if (passwordFile.isPresent()) {
        password = firstLine(passwordFile.get());
      } else if (env.get(PASSWORD_ENV) != null && !env.get(PASSWORD_ENV).isEmpty()) {
        password = env.get(PASSWORD_ENV).toCharArray();
      } else {
        password = prompt.readPassword("password for " + name + ": ");
        if (password == null) {
          throw new IllegalArgumentException(
              "no password for user "
                  + name
                  + ": give --password-file FILE "
                  + "or set "
                  + PASSWORD_ENV
                  + " (no console to ask on)");
        }
      }
      try {
        return Optional.of(ClientCredentials.of(name, password));
      } finally {
        Arrays.fill(password, '\0');
      }
    }

    @Override
    public String toString() {
      return "Options[user="
          + user.map(u -> u.indexOf(':') < 0 ? u : u.substring(0, u.indexOf(':')) + ":***")
              .orElse("none")
          + ", passwordFile="
          + passwordFile.map(Path::toString).orElse("none")
          + "]";
    }

    private static char[] firstLine(Path file) {
      return ClientCredentials.passwordFileLine(file).toCharArray();
    }
  }

  /**
   * The password in {@code file}: its first line without the line end (the format of {@code
   * --password-file} for every command, {@code bin/ringstore user} included); an error naming the
   * file when it cannot be read or that line is empty.
   */
  static String passwordFileLine(Path file) {
    String line;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      line = reader.readLine();
    } catch (IOException e) {
      String why =
          e instanceof NoSuchFileException
              ? "no such file"
              : e instanceof AccessDeniedException
                  ? "permission denied"
                  : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new IllegalArgumentException(
          "cannot read the password file " + file.toAbsolutePath() + " (" + why + ")", e);
    }
    if (line == null || line.isEmpty()) {
      throw new IllegalArgumentException(
          "the password file "
              + file.toAbsolutePath()
              + " is empty (the password is its first line)");
    }
    return line;
  }
}
