package dev.aiflow.worker;

import java.util.Optional;

/**
 * Whether agents and verification runs will be sandboxed under a configuration, said the way {@code
 * aiflow doctor} and a campaign's preflight say it (docs/sandbox.md): {@code ok} under bubblewrap,
 * a warning when they will run on the host (bwrap missing or not working under {@code auto}, or
 * {@code none} configured), unusable when {@code bwrap} is required and does not work.
 *
 * @param state {@code ok}, {@code warning} or {@code unusable}
 * @param code null when ok; {@code SANDBOX_DISABLED}, {@code SANDBOX_UNAVAILABLE} or {@code
 *     SANDBOX_REQUIRED_UNAVAILABLE}
 * @param detail a sentence for people: the executable used, or why there is no sandbox
 */
public record SandboxCheck(String state, String code, String detail) {

  /** Probes bwrap (cached per executable) as the worker will at start-up. */
  public static SandboxCheck of(String mode, String bwrapPath) {
    Sandbox.Mode m;
    try {
      m = Sandbox.Mode.parse(mode);
    } catch (IllegalArgumentException e) {
      return new SandboxCheck("unusable", "SANDBOX_MODE_INVALID", e.getMessage());
    }
    if (m == Sandbox.Mode.NONE) {
      return new SandboxCheck(
          "warning",
          "SANDBOX_DISABLED",
          "aiflow.worker.sandbox.mode=none: agents and verification runs are NOT sandboxed;"
              + " they run on the host, tracked by session and process group only (a setsid"
              + " escape survives; docs/sandbox.md)");
    }
    Sandbox s;
    try {
      s = Sandbox.resolve(m, bwrapPath);
    } catch (IllegalStateException e) {
      return new SandboxCheck("unusable", "SANDBOX_REQUIRED_UNAVAILABLE", e.getMessage());
    }
    Optional<String> warning = s.warning();
    if (warning.isPresent()) {
      return new SandboxCheck("warning", "SANDBOX_UNAVAILABLE", warning.get());
    }
    return new SandboxCheck(
        "ok",
        null,
        "bwrap: new PID namespace, host read-only but the workspace, data directory hidden");
  }

  public boolean ok() {
    return code == null;
  }

  /** Whether a campaign or worker cannot run agents under this configuration. */
  public boolean unusable() {
    return "unusable".equals(state);
  }
}
