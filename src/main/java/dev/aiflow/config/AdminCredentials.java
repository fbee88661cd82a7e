package dev.aiflow.config;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where the administrator's password comes from: the environment, or a password generated on the
 * first start and kept in {@code <data-dir>/admin-password}, readable only by its owner. There is
 * no built-in default password.
 *
 * @param user the administrator's id
 * @param password the password to create the account with
 * @param fromEnvironment whether the operator set it (then it wins over the stored account)
 */
public record AdminCredentials(String user, String password, boolean fromEnvironment) {

  public static final String PASSWORD_FILE = "admin-password";

  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public String toString() {
    return "AdminCredentials[user=" + user + ", password=<hidden>]";
  }

  /**
   * Resolves the credentials. When no password is configured and none was stored yet, generates
   * one, stores it and prints it once to {@code console}.
   */
  public static AdminCredentials resolve(AiflowProperties properties, PrintStream console) {
    String user = properties.admin().user();
    if (user == null || user.isBlank()) {
      user = "admin";
    }
    String configured = properties.admin().password();
    if (configured != null && !configured.isBlank()) {
      return new AdminCredentials(user, configured, true);
    }
    Path file = properties.dataDir().resolve(PASSWORD_FILE);
    try {
      if (Files.exists(file)) {
        return new AdminCredentials(
            user, Files.readString(file, StandardCharsets.UTF_8).trim(), false);
      }
      String generated = generate();
      DataDirectoryPreparer.prepare(properties.dataDir());
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        // another process generated it first: use that one
        return new AdminCredentials(
            user, Files.readString(file, StandardCharsets.UTF_8).trim(), false);
      }
      Files.writeString(file, generated + "\n", StandardCharsets.UTF_8);
      console.println();
      console.println("=".repeat(72));
      console.println(" aiflow generated a password for the administrator '" + user + "':");
      console.println();
      console.println("     " + generated);
      console.println();
      console.println(" It is shown once and kept in " + file.toAbsolutePath());
      console.println(" (readable only by you). Set AIFLOW_ADMIN_USER and AIFLOW_ADMIN_PASSWORD");
      console.println(" to choose your own instead.");
      console.println("=".repeat(72));
      console.println();
      return new AdminCredentials(user, generated, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or store " + file, e);
    }
  }

  /** 192 random bits, URL-safe. */
  static String generate() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
