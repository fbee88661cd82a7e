package dev.aiflow.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps secrets from the environment out of evidence and logs: the values of variables whose names
 * say they are secret (TOKEN, SECRET, PASSWORD, KEY, CREDENTIAL, AUTH...) are replaced by {@code
 * ***} wherever an agent echoes them.
 */
public final class SecretRedactor {

  private static final Pattern SECRET_NAME =
      Pattern.compile("(TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|CREDENTIAL|AUTH|COOKIE|SESSION)");
  private static final int MIN_LENGTH = 6;

  private final List<String> secrets;

  public SecretRedactor(Map<String, String> environment) {
    List<String> values = new ArrayList<>();
    environment.forEach(
        (name, value) -> {
          if (value != null
              && value.length() >= MIN_LENGTH
              && SECRET_NAME.matcher(name.toUpperCase(Locale.ROOT)).find()) {
            values.add(value);
          }
        });
    values.sort(Comparator.comparingInt(String::length).reversed()); // longest first
    this.secrets = List.copyOf(values);
  }

  public static SecretRedactor fromSystemEnvironment() {
    return new SecretRedactor(System.getenv());
  }

  public String redact(String text) {
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, "***");
    }
    return out;
  }

  public boolean isEmpty() {
    return secrets.isEmpty();
  }
}
