package io.ringstore.tools;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a command-line client reaches the nodes' HTTP API: plain HTTP or HTTPS trusting {@code
 * --cacert} (or the JDK's CAs), and the credentials sent with every request. Shared by {@code
 * status}, {@code leave}, {@code check} and {@code bench}, so each builds its clients and requests
 * the same way.
 *
 * @param https talk HTTPS ({@code --https}, implied by {@code --cacert})
 * @param cacert the CA to trust ({@link ClientTls#trusting}); empty for the JDK's default CAs
 * @param credentials sent as {@code Authorization} on every request; empty for none
 */
public record ClientAccess(
    boolean https, Optional<Path> cacert, Optional<ClientCredentials> credentials) {
  /** Plain HTTP without credentials: what the clients did before there were users. */
  public static final ClientAccess PLAIN =
      new ClientAccess(false, Optional.empty(), Optional.empty());

  /** The usage lines of the four options, the same for every command; ends with a line end. */
  public static final String USAGE =
      """
        --https            talk HTTPS (implied by --cacert)
        --cacert FILE      the CA to trust: a PEM file (ca.pem of bin/ringstore certs) or a PKCS12/JKS
                           truststore (its password in RINGSTORE_TRUSTSTORE_PASSWORD); default: the JDK's CAs
        --user NAME[:PASSWORD]
                           the user sent with every request (HTTP Basic); default $RINGSTORE_USER. A
                           password given here is visible to other users of the machine: prefer a file
        --password-file FILE
                           the password is FILE's first line; default $RINGSTORE_PASSWORD, else it is
                           asked for on the console
      """;

  public ClientAccess {
    https |= cacert.isPresent();
  }

  /** {@code https} or {@code http}. */
  public String scheme() {
    return https ? "https" : "http";
  }

  /**
   * The TLS context of {@code --cacert}, or the JDK's default; IllegalArgumentException if
   * unusable.
   */
  public SSLContext sslContext() {
    return cacert.map(ClientTls::trusting).orElseGet(ClientTls::systemDefault);
  }

  /** A JDK HTTP/1.1 client builder with this access's TLS context when HTTPS. */
  public HttpClient.Builder clientBuilder(Duration connectTimeout) {
    HttpClient.Builder builder =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout);
    return https ? builder.sslContext(sslContext()) : builder;
  }

  /** The {@code Authorization} header value, when there are credentials. */
  public Optional<String> authorization() {
    return credentials.map(ClientCredentials::authorization);
  }

  /** {@code request} with the {@code Authorization} header when there are credentials. */
  public HttpRequest.Builder authorize(HttpRequest.Builder request) {
    credentials.ifPresent(c -> request.header("Authorization", c.authorization()));
    return request;
  }

  /**
   * The access that command-line options give, collected option by option and resolved once: {@link
   * #option} for {@code --https} (no value), {@code --cacert}, {@code --user} and {@code
   * --password-file}, then {@link #resolve}.
   */
  public static final class Builder {
    private boolean https;
    private Optional<Path> cacert = Optional.empty();
    private ClientCredentials.Options credentials = ClientCredentials.Options.NONE;

    /** True for an option of this builder; only {@code --https} takes no value. */
    public static boolean takes(String option) {
      return option.equals("--https")
          || option.equals("--cacert")
          || ClientCredentials.Options.takes(option);
    }

    /** Sets {@code --https}. */
    public Builder https() {
      https = true;
      return this;
    }

    /** Takes {@code option value}; an IllegalArgumentException for an empty value. */
    public Builder option(String option, String value) {
      if (option.equals("--cacert")) {
        if (value == null || value.isBlank()) {
          throw new IllegalArgumentException("--cacert must not be empty");
        }
        cacert = Optional.of(Path.of(value));
      } else {
        credentials = credentials.with(option, value);
      }
      return this;
    }

    /** True when {@code --cacert} was given. */
    public boolean hasCacert() {
      return cacert.isPresent();
    }

    /** True when {@code --user} or {@code --password-file} was given. */
    public boolean hasCredentials() {
      return !credentials.equals(ClientCredentials.Options.NONE);
    }

    /** True when any option of this builder was given. */
    public boolean anyGiven() {
      return https || cacert.isPresent() || !credentials.equals(ClientCredentials.Options.NONE);
    }

    /** The access, its credentials resolved ({@link ClientCredentials.Options#resolve}). */
    public ClientAccess resolve(Map<String, String> env, ClientCredentials.Prompt prompt) {
      return new ClientAccess(https, cacert, credentials.resolve(env, prompt));
    }
  }
}
