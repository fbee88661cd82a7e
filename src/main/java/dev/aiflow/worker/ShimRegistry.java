package dev.aiflow.worker;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shim executables a worker may start, by name. Process variables only ever name a shim ({@code
 * workerShim}); the executable behind a name comes from configuration ({@code aiflow.worker.shim}
 * is {@value #DEFAULT}, {@code aiflow.worker.shims.<name>} the others) or from the server itself
 * (the demo registers {@code demo}, the built-in shim with its fake agent CLIs). So nobody who can
 * start a process can make the server run a program of their choosing.
 */
public final class ShimRegistry {

  public static final String DEFAULT = "default";

  private final ConcurrentHashMap<String, String> shims = new ConcurrentHashMap<>();

  public ShimRegistry(String defaultShim, Map<String, String> named) {
    named.forEach(this::register);
    shims.put(DEFAULT, defaultShim);
  }

  public void register(String name, String executable) {
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("'" + name + "' is not a shim name ([a-z0-9._-])");
    }
    shims.put(name, executable);
  }

  /**
   * The executable for {@code name}; null or blank means {@value #DEFAULT}.
   *
   * @throws IllegalArgumentException for a name nobody registered
   */
  public String resolve(String name) {
    String key = name == null || name.isBlank() ? DEFAULT : name;
    String shim = shims.get(key);
    if (shim == null) {
      throw new IllegalArgumentException(
          "no shim is registered as '" + key + "' on this worker (known: " + names() + ")");
    }
    return shim;
  }

  public Set<String> names() {
    return new TreeSet<>(shims.keySet());
  }
}
