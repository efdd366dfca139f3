package io.ringstore.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted, slow password hash: PBKDF2 with HMAC-SHA256 from the JDK, written as {@code
 * pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in unpadded base64). The iteration count is
 * kept with each hash, so raising the default later does not invalidate the hashes already stored.
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the contents
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
  public static final String SCHEME = "pbkdf2-sha256";

  /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /**
   * Bounds of a stored iteration count: below is too weak to call slow, above a denial of service.
   */
  public static final int MIN_ITERATIONS = 1_000;

  public static final int MAX_ITERATIONS = 10_000_000;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  public PasswordHash {
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "iterations must be in "
              + MIN_ITERATIONS
              + ".."
              + MAX_ITERATIONS
              + ", was "
              + iterations);
    }
    if (salt.length < 8 || hash.length != HASH_BYTES) {
      throw new IllegalArgumentException(
          "a "
              + SCHEME
              + " hash needs a salt of at least 8 bytes and a "
              + HASH_BYTES
              + "-byte hash");
    }
    salt = salt.clone();
    hash = hash.clone();
  }

  /** Hashes {@code password} with a fresh random salt. */
  public static PasswordHash create(String password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations));
  }

  /**
   * Whether {@code password} is the one hashed here: one full derivation and a constant-time
   * comparison, whatever the answer.
   */
  public boolean matches(String password) {
    return MessageDigest.isEqual(hash, derive(password, salt, iterations));
  }

  /** Parses {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}; the message says what is wrong. */
  public static PasswordHash parse(String text) {
    String[] parts = text.split("\\$", -1);
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      throw new IllegalArgumentException(
          "a password hash must look like "
              + SCHEME
              + "$ITERATIONS$SALT$HASH (made by `bin/ringstore user add`)");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the iteration count '" + parts[1] + "' is not a number");
    }
    try {
      Base64.Decoder base64 = Base64.getDecoder();
      return new PasswordHash(iterations, base64.decode(parts[2]), base64.decode(parts[3]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad password hash: " + e.getMessage());
    }
  }

  /** The text form, as {@link #parse} reads it. */
  public String format() {
    Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
    return SCHEME
        + "$"
        + iterations
        + "$"
        + base64.encodeToString(salt)
        + "$"
        + base64.encodeToString(hash);
  }

  /**
   * PBKDF2-HMAC-SHA256 over the password's UTF-8 bytes (how the JDK encodes a PBEKeySpec's chars).
   */
  static byte[] derive(String password, byte[] salt, int iterations) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash other
        && iterations == other.iterations
        && Arrays.equals(salt, other.salt)
        && Arrays.equals(hash, other.hash);
  }

  @Override
  public int hashCode() {
    return 31 * iterations + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "PasswordHash[" + SCHEME + ", " + iterations + " iterations]";
  }
}
