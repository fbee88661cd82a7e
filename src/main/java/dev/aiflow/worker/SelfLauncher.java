package dev.aiflow.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * How a worker runs aiflow's own built-in shim ({@code aiflow shim}) as the agent process. The shim
 * name {@value #BUILTIN} (the default {@code aiflow.worker.shim}) stands for this command line:
 *
 * <ol>
 *   <li>{@code $AIFLOW_LAUNCHER shim} when that variable names an executable (e.g. {@code
 *       bin/aiflow});
 *   <li>else {@code <java> -jar <aiflow.jar> shim} when this JVM runs from the packaged jar;
 *   <li>else {@code <java> -cp <class path> dev.aiflow.AiflowMain shim} (classes, tests).
 * </ol>
 *
 * The JVM gets a small heap and a fast start-up; the shim only relays events.
 */
public final class SelfLauncher {

  /** The shim name that means "aiflow's own shim". */
  public static final String BUILTIN = "builtin";

  static final String MAIN_CLASS = "dev.aiflow.AiflowMain";

  /** JVM options of the shim process: it streams events, it needs little memory. */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Xshare:auto",
          "-Xmx192m",
          "-Djava.awt.headless=true");

  private SelfLauncher() {}

  /**
   * Whether {@code shim} names aiflow's own shim: {@value #BUILTIN}, or {@code builtin:<file>}, the
   * built-in shim with the agent settings of that file laid over the worker's (a named shim with
   * CLIs of its own, e.g. the demo's fake ones; docs/backends.md).
   */
  public static boolean isBuiltin(String shim) {
    return BUILTIN.equals(shim) || (shim != null && shim.startsWith(BUILTIN + ":"));
  }

  /** The settings file of a {@code builtin:<file>} shim, or empty. */
  public static Optional<Path> settingsFile(String shim) {
    if (shim == null || !shim.startsWith(BUILTIN + ":")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(shim.substring(BUILTIN.length() + 1)).toAbsolutePath().normalize());
  }

  /**
   * The command that runs the built-in shim {@code shim} names, without the shim's own arguments:
   * {@link #command()}, with {@code --settings-file} for a {@code builtin:<file>} shim.
   */
  public static List<String> command(String shim) {
    Optional<Path> file = settingsFile(shim);
    if (file.isEmpty()) {
      return command();
    }
    List<String> c = new ArrayList<>(command());
    c.add("--settings-file=" + file.get());
    return List.copyOf(c);
  }

  /**
   * The folders an agent of {@code shim} must still read in a sandbox that hides the data
   * directory: the folder of a {@code builtin:<file>} shim's settings, where its CLIs and logins
   * are kept.
   */
  public static List<Path> readable(String shim) {
    if (!isBuiltin(shim)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>(codeLocations());
    settingsFile(shim).map(Path::getParent).ifPresent(out::add);
    return List.copyOf(out);
  }

  /**
   * Where the built-in shim's own code is: the launcher script and each class-path entry (a folder
   * of classes, or the jar file itself). A sandbox that hides {@code /tmp} or the data directory
   * keeps these readable, or a server run from a jar in {@code /tmp} (or tests in a checkout under
   * {@code /tmp}) could not start its own shim. A jar is kept readable as a file, never its folder:
   * the folder may be {@code /tmp} itself or the data directory.
   */
  static List<Path> codeLocations() {
    List<Path> out = new ArrayList<>();
    String launcher = System.getenv("AIFLOW_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      out.add(Path.of(launcher).toAbsolutePath().normalize());
    }
    String classPath = System.getProperty("java.class.path", "");
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath().normalize();
      if (Files.exists(p) && !out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The command that runs {@code aiflow shim}, without the shim's own arguments. */
  public static List<String> command() {
    String launcher = System.getenv("AIFLOW_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      return List.of(launcher, "shim");
    }
    List<String> c = new ArrayList<>();
    c.add(java());
    c.addAll(JVM_OPTIONS);
    String classPath = System.getProperty("java.class.path", "");
    Optional<Path> jar = bootJar(classPath);
    if (jar.isPresent()) {
      c.add("-jar");
      c.add(jar.get().toAbsolutePath().toString());
    } else {
      c.add("-cp");
      c.add(classPath);
      c.add(MAIN_CLASS);
    }
    c.add("shim");
    return List.copyOf(c);
  }

  /** Why the built-in shim cannot start here, or empty when it can. */
  public static Optional<String> problem() {
    List<String> c = command();
    if (ProcessTree.findExecutable(c.get(0)).isEmpty()) {
      return Optional.of("the launcher '" + c.get(0) + "' of the built-in shim is not executable");
    }
    return Optional.empty();
  }

  static String java() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  /** The packaged Spring Boot jar this JVM runs from, if it does. */
  static Optional<Path> bootJar(String classPath) {
    if (classPath.isBlank() || classPath.contains(java.io.File.pathSeparator)) {
      return Optional.empty();
    }
    Path p = Path.of(classPath);
    if (!p.toString().endsWith(".jar") || !Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try (JarFile jar = new JarFile(p.toFile())) {
      var manifest = jar.getManifest();
      boolean boot =
          manifest != null && manifest.getMainAttributes().getValue("Start-Class") != null;
      return boot ? Optional.of(p) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
