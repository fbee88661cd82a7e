package dev.aiflow.observe;

import dev.aiflow.protocol.PathGlob;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths observation leaves out besides {@code .artifacts/} (docs/protocol.md, "What the kernel
 * observes"). A rule is a small subset of gitignore, so the same list feeds git's excludes: {@code
 * name/} is a folder of that name at any depth, a rule without a slash matches a file or folder
 * name at any depth ({@code *.pyc}), a rule with a slash inside is a {@link PathGlob} from the
 * workspace root ({@code build/generated/**}).
 */
final class IgnoreRules {

  private record Rule(String text, PathGlob glob, boolean folderOnly, boolean byName) {}

  private final List<Rule> rules = new ArrayList<>();

  IgnoreRules(List<String> patterns) {
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty() || p.startsWith("#") || p.startsWith("!")) {
        continue;
      }
      boolean folderOnly = p.endsWith("/");
      String body = folderOnly ? p.substring(0, p.length() - 1) : p;
      if (body.startsWith("/")) {
        body = body.substring(1);
      }
      if (body.isEmpty() || body.contains("..")) {
        throw new IllegalArgumentException("'" + raw + "' is not an ignore rule");
      }
      boolean byName = !body.contains("/") && !p.startsWith("/");
      rules.add(new Rule(p, PathGlob.of(body), folderOnly, byName));
    }
  }

  /** Whether the workspace-relative {@code path} (a folder when {@code folder}) is left out. */
  boolean ignored(String path, boolean folder) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    for (Rule r : rules) {
      if (r.folderOnly() && !folder) {
        continue;
      }
      if (r.glob().matches(r.byName() ? name : path)) {
        return true;
      }
    }
    return false;
  }

  /** The rules in gitignore form, anchored where they are anchored here. */
  List<String> asGitignore() {
    List<String> out = new ArrayList<>();
    for (Rule r : rules) {
      out.add(r.byName() || r.text().startsWith("/") ? r.text() : "/" + r.text());
    }
    return out;
  }
}
