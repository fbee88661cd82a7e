package dev.aiflow.negotiation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deterministic drafting backend: no AI, the same dialogue gives the same bytes. Rules
 * (docs/requirements.md, "The heuristic drafter"):
 *
 * <ul>
 *   <li>speaker prefixes ({@code user:}, {@code lead:}...) are dropped; a line {@code title: X}
 *       names the brief, else its first sentence does;
 *   <li>lines that say what is wanted (want, need, goal, so that) make the goal;
 *   <li>list items, and lines starting {@code task:}, become tasks {@code T-1, T-2...}; without
 *       any, the whole dialogue is one task;
 *   <li>statements with must, should, returns, passes, prints, fails, rejects (or starting {@code
 *       accept:}) become acceptance criteria of the task they follow, or of every task when they
 *       come before the first; a backticked command after {@code run} or {@code verify} becomes the
 *       criterion's verification;
 *   <li>path-like tokens (with a {@code /} or a file extension) become allowed paths, of the task
 *       whose line names them and of the scope;
 *   <li>lines starting with today, currently, right now (or {@code context:}) describe what exists
 *       and go to the context;
 *   <li>lines ending in {@code ?} become open questions; lines with {@code do not}, {@code don't}
 *       or {@code never} become out-of-scope items.
 * </ul>
 *
 * What the rules cannot fill is left as a template placeholder ({@code <...>}), which the parser
 * refuses at freeze: the approver must reject and say more.
 */
public final class HeuristicDrafter implements Drafter {

  private static final Pattern SPEAKER =
      Pattern.compile(
          "^(?:user|lead|pm|dev|developer|assistant|controller|me|client|customer|operator|"
              + "reviewer|approver|qa)\\s*:\\s*",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern LIST_ITEM = Pattern.compile("^(?:[-*]|[0-9]+[.)])\\s+(.*)$");
  private static final Pattern TASK_LINE =
      Pattern.compile("^task\\s*:\\s*(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern TITLE_LINE =
      Pattern.compile("^title\\s*:\\s*(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern ACCEPT_LINE =
      Pattern.compile("^(?:accept|acceptance|done when)\\s*:\\s*(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern ACCEPTANCE_WORD =
      Pattern.compile(
          "\\b(must|should|returns?|passes|prints?|fails?|rejects?|exits?)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern GOAL_WORD =
      Pattern.compile("\\b(want|wants|need|needs|goal|so that)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern CONTEXT_START =
      Pattern.compile(
          "^(?:today|currently|at the moment|right now|as of now|context\\s*:)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern OUT_WORD =
      Pattern.compile("\\b(do not|don't|never|out of scope)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern PATH =
      Pattern.compile(
          "(?<![\\w/.-])((?:[A-Za-z0-9_.*-]+/)+(?:[A-Za-z0-9_.*-]+)?|[A-Za-z0-9_*-]+\\.(?:py|java|"
              + "js|ts|tsx|go|rs|rb|md|json|yaml|yml|toml|txt|xml|sh|c|h|cpp|kt|sql|html|css))"
              + "(?![\\w/])");
  private static final Pattern VERIFY =
      Pattern.compile(
          "\\b(?:run|running|verify|verified by)\\s+`([^`]+)`", Pattern.CASE_INSENSITIVE);
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  @Override
  public String backend() {
    return "heuristic";
  }

  private static final class Task {
    final String title;
    final Set<String> paths = new LinkedHashSet<>();
    final List<String[]> acceptance = new ArrayList<>();

    Task(String title) {
      this.title = title;
    }
  }

  @Override
  public String draft(String dialogue) {
    String title = null;
    List<String> goal = new ArrayList<>();
    List<String> context = new ArrayList<>();
    Set<String> scope = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    List<String> questions = new ArrayList<>();
    List<String[]> shared = new ArrayList<>();
    List<Task> tasks = new ArrayList<>();
    Task current = null;
    String first = null;
    for (String raw : dialogue.replace("\r\n", "\n").split("\n")) {
      String line = SPEAKER.matcher(raw.trim()).replaceFirst("").trim();
      if (line.isEmpty()) {
        continue;
      }
      if (first == null) {
        first = line;
      }
      Matcher m;
      if ((m = TITLE_LINE.matcher(line)).matches()) {
        title = m.group(1).trim();
        continue;
      }
      Set<String> paths = paths(line);
      scope.addAll(paths);
      if (line.endsWith("?")) {
        questions.add(line);
        continue;
      }
      if (OUT_WORD.matcher(line).find()) {
        out.add(line);
        continue;
      }
      if (CONTEXT_START.matcher(line).find()) {
        context.add(line.replaceFirst("(?i)^context\\s*:\\s*", ""));
        continue;
      }
      Matcher item = LIST_ITEM.matcher(line);
      Matcher taskLine = TASK_LINE.matcher(line);
      Matcher acceptLine = ACCEPT_LINE.matcher(line);
      if (acceptLine.matches()) {
        addCriterion(current, shared, acceptLine.group(1));
      } else if (item.matches() || taskLine.matches()) {
        String text = (item.matches() ? item.group(1) : taskLine.group(1)).trim();
        if (current != null && ACCEPTANCE_WORD.matcher(text).find() && !taskLine.matches()) {
          addCriterion(current, shared, text); // a list item under a task that states a check
          current.paths.addAll(paths);
          continue;
        }
        current = new Task(sentence(text));
        current.paths.addAll(paths);
        tasks.add(current);
      } else if (ACCEPTANCE_WORD.matcher(line).find()) {
        addCriterion(current, shared, line);
        if (current != null) {
          current.paths.addAll(paths);
        }
      } else if (GOAL_WORD.matcher(line).find()) {
        goal.add(line);
      } else {
        context.add(line);
      }
    }
    if (title == null) {
      title = first == null ? "Untitled request" : sentence(first);
    }
    if (tasks.isEmpty()) {
      tasks.add(new Task(title));
    }
    StringBuilder md = new StringBuilder();
    md.append("# Task brief: ").append(title).append("\n\n");
    md.append("<!-- drafted by aiflow's heuristic controller; review before approving -->\n\n");
    md.append("## Goal\n\n")
        .append(goal.isEmpty() ? "<say what should change and for whom>" : String.join(" ", goal))
        .append("\n\n");
    if (!context.isEmpty()) {
      md.append("## Context\n\n").append(String.join(" ", context)).append("\n\n");
    }
    md.append("## Scope\n\nAllowed paths:\n");
    if (scope.isEmpty()) {
      md.append("- `<path>`\n");
    }
    scope.forEach(p -> md.append("- `").append(p).append("`\n"));
    if (!out.isEmpty()) {
      md.append("\nOut of scope:\n");
      out.forEach(o -> md.append("- ").append(o).append('\n'));
    }
    md.append("\n## Tasks\n");
    int n = 0;
    for (Task t : tasks) {
      n++;
      md.append("\n### T-").append(n).append(": ").append(t.title).append("\n\n");
      md.append("- Priority: 2\n");
      Set<String> paths = t.paths.isEmpty() ? scope : t.paths;
      md.append("- Allowed paths: ");
      md.append(
          paths.isEmpty()
              ? "`<path>`"
              : String.join(", ", paths.stream().map(p -> "`" + p + "`").toList()));
      md.append("\n- Acceptance:\n");
      List<String[]> acs = new ArrayList<>(shared);
      acs.addAll(t.acceptance);
      if (acs.isEmpty()) {
        md.append("  - AC-1: <state a testable criterion>\n");
      }
      int a = 0;
      for (String[] ac : acs) {
        a++;
        md.append("  - AC-").append(a).append(": ").append(ac[0]);
        if (ac[1] != null) {
          md.append(" (verify: `").append(ac[1]).append("`)");
        }
        md.append('\n');
      }
    }
    if (!questions.isEmpty()) {
      md.append("\n## Open questions\n\n");
      questions.forEach(q -> md.append("- ").append(q).append('\n'));
    }
    return md.toString();
  }

  private static void addCriterion(Task current, List<String[]> shared, String text) {
    String verify = null;
    Matcher v = VERIFY.matcher(text);
    if (v.find()) {
      verify = v.group(1);
    }
    String statement = text.trim().replaceAll("[.;]+$", "");
    String[] ac = {statement, verify};
    if (current == null) {
      shared.add(ac);
    } else {
      current.acceptance.add(ac);
    }
  }

  private static Set<String> paths(String line) {
    Set<String> out = new LinkedHashSet<>();
    Matcher code = CODE.matcher(line);
    StringBuilder prose = new StringBuilder();
    int last = 0;
    while (code.find()) {
      prose.append(line, last, code.start()).append(' ');
      String inner = code.group(1).trim();
      if (!inner.contains(" ") && PATH.matcher(inner).matches()) {
        out.add(clean(inner));
      }
      last = code.end();
    }
    prose.append(line.substring(last));
    Matcher m = PATH.matcher(prose);
    while (m.find()) {
      String p = m.group(1);
      if (!p.contains("://") && !p.startsWith("/") && !p.contains("..")) {
        out.add(clean(p));
      }
    }
    return out;
  }

  private static String clean(String p) {
    return p.replaceAll("^\\./", "");
  }

  /** The first sentence, without a trailing period, at most 80 characters. */
  private static String sentence(String text) {
    String s = text.trim();
    int dot = s.indexOf(". ");
    if (dot > 0) {
      s = s.substring(0, dot);
    }
    s = s.replaceAll("[.:;]+$", "").replace("`", "");
    if (s.length() > 80) {
      s = s.substring(0, 77).trim() + "...";
    }
    return s.isEmpty() ? "Untitled" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
