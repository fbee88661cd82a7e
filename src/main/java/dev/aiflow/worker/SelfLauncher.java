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

  public static boolean isBuiltin(String shim) {
    return BUILTIN.equals(shim);
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
