package dev.aiflow.negotiation;

import dev.aiflow.negotiation.Requirements.Criterion;
import dev.aiflow.negotiation.Requirements.PlannedTask;
import dev.aiflow.negotiation.RequirementsFormatException.Finding;
import dev.aiflow.protocol.PathGlob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a task brief in the format of docs/templates/task_brief.template.md, strictly: every
 * problem is a coded finding with its line, and all of them are reported at once.
 */
public final class RequirementsParser {

  private static final Pattern TITLE = Pattern.compile("^#\\s+(?:Task brief:\\s*)?(.+?)\\s*$");
  private static final Pattern SECTION = Pattern.compile("^##\\s+(.+?)\\s*$");
  private static final Pattern TASK = Pattern.compile("^###\\s+([^:\\s]+)\\s*:\\s*(.+?)\\s*$");
  private static final Pattern BULLET = Pattern.compile("^(\\s*)[-*]\\s+(.*?)\\s*$");
  private static final Pattern GLOB = Pattern.compile("`([^`]+)`");
  private static final Pattern CRITERION =
      Pattern.compile("^(AC-[A-Za-z0-9._-]+)\\s*:\\s*(.+?)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern VERIFY =
      Pattern.compile("\\s*\\(verify:\\s*`([^`]+)`\\s*\\)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Za-z][^<>]*>");

  private final List<Finding> findings = new ArrayList<>();

  private RequirementsParser() {}

  /**
   * @param source what to call the text in messages (a file name)
   * @throws RequirementsFormatException with every finding
   */
  public static Requirements parse(String markdown, String source) {
    RequirementsParser p = new RequirementsParser();
    Requirements r = p.read(markdown);
    if (!p.findings.isEmpty()) {
      throw new RequirementsFormatException(source, p.findings);
    }
    return r;
  }

  private record Line(int number, String text) {}

  private Requirements read(String markdown) {
    List<Line> lines = withoutComments(markdown);
    String title = null;
    String section = null;
    StringBuilder goal = new StringBuilder();
    StringBuilder context = new StringBuilder();
    List<String> boundary = new ArrayList<>();
    List<String> outOfScope = new ArrayList<>();
    List<String> constraints = new ArrayList<>();
    List<String> questions = new ArrayList<>();
    List<TaskDraft> tasks = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String scopeList = null;
    int scopeLine = 0;
    int tasksLine = 0;
    TaskDraft task = null;
    for (Line l : lines) {
      String t = l.text();
      if (t.isBlank()) {
        continue;
      }
      Matcher m;
      if (title == null && section == null) {
        m = TITLE.matcher(t);
        if (!t.startsWith("## ") && m.matches()) {
          title = m.group(1);
          placeholder(l, title, "title");
          continue;
        }
        add(l.number(), "TITLE_MISSING", "the brief must open with '# Task brief: <title>'");
        title = "";
      }
      if ((m = SECTION.matcher(t)).matches()) {
        section = normalise(m.group(1));
        task = null;
        scopeList = null;
        if (!seen.add(section)) {
          add(l.number(), "SECTION_REPEATED", "'## " + m.group(1) + "' appears twice");
        }
        if (section.equals("scope")) {
          scopeLine = l.number();
        } else if (section.equals("tasks")) {
          tasksLine = l.number();
        }
        continue;
      }
      if (section == null) {
        add(l.number(), "TEXT_OUTSIDE_SECTION", "text before the first '## ' section");
        continue;
      }
      switch (section) {
        case "goal" -> append(goal, t);
        case "context" -> append(context, t);
        case "constraints" -> bullet(l).ifPresent(constraints::add);
        case "open questions" -> bullet(l).ifPresent(questions::add);
        case "scope" -> {
          String lower = t.trim().toLowerCase(Locale.ROOT);
          if (lower.startsWith("allowed paths")) {
            scopeList = "allowed";
          } else if (lower.startsWith("out of scope")) {
            scopeList = "out";
          } else if ("allowed".equals(scopeList)) {
            globBullet(l).ifPresent(boundary::add);
          } else if ("out".equals(scopeList)) {
            bullet(l).ifPresent(outOfScope::add);
          } else {
            add(
                l.number(),
                "SCOPE_UNREADABLE",
                "expected 'Allowed paths:' or 'Out of scope:' followed by a list");
          }
        }
        case "tasks" -> {
          if ((m = TASK.matcher(t)).matches()) {
            task = new TaskDraft(l.number(), m.group(1), m.group(2));
            if (!dev.aiflow.ids.Ids.isValid(task.key)) {
              add(l.number(), "TASK_KEY_INVALID", "'" + task.key + "' is not a task key");
            }
            placeholder(l, task.key + " " + task.title, "task heading");
            tasks.add(task);
          } else if (task == null) {
            add(l.number(), "TASK_HEADING_MISSING", "expected '### <KEY>: <title>'");
          } else {
            taskLine(task, l);
          }
        }
        default -> {
          // another section is the author's business: kept in the frozen text, not read here
        }
      }
    }
    if (title == null) {
      add(0, "TITLE_MISSING", "the brief is empty");
      title = "";
    }
    require(goal.length() > 0, "GOAL_MISSING", "'## Goal' with a paragraph is required", 0);
    placeholder(new Line(0, ""), goal.toString(), "goal");
    require(scopeLine > 0, "SCOPE_MISSING", "'## Scope' with 'Allowed paths:' is required", 0);
    require(
        scopeLine == 0 || !boundary.isEmpty(),
        "BOUNDARY_EMPTY",
        "'Allowed paths:' under '## Scope' lists no path",
        scopeLine);
    require(tasksLine > 0, "TASKS_MISSING", "'## Tasks' is required", 0);
    require(tasksLine == 0 || !tasks.isEmpty(), "TASKS_EMPTY", "'## Tasks' has no task", tasksLine);
    List<PlannedTask> planned = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (TaskDraft d : tasks) {
      if (!keys.add(d.key)) {
        add(d.line, "TASK_KEY_REPEATED", "task " + d.key + " appears twice");
      }
      require(
          !d.acceptance.isEmpty(),
          "ACCEPTANCE_MISSING",
          "task " + d.key + " has no acceptance criterion",
          d.line);
      List<String> paths = d.paths.isEmpty() ? boundary : d.paths;
      for (String glob : d.paths) {
        boolean inside = boundary.stream().anyMatch(b -> PathGlob.covers(b, glob));
        require(
            boundary.isEmpty() || inside,
            "PATH_OUTSIDE_SCOPE",
            "task " + d.key + " allows `" + glob + "`, outside the scope's allowed paths",
            d.line);
      }
      planned.add(new PlannedTask(d.key, d.title, d.priority, paths, d.acceptance));
    }
    return new Requirements(
        title,
        goal.toString(),
        context.toString(),
        boundary,
        outOfScope,
        planned,
        constraints,
        questions);
  }

  private static final class TaskDraft {
    final int line;
    final String key;
    final String title;
    int priority = 2;
    final List<String> paths = new ArrayList<>();
    final List<Criterion> acceptance = new ArrayList<>();
    boolean inAcceptance;

    TaskDraft(int line, String key, String title) {
      this.line = line;
      this.key = key;
      this.title = title;
    }
  }

  private void taskLine(TaskDraft task, Line l) {
    Matcher b = BULLET.matcher(l.text());
    if (!b.matches()) {
      add(l.number(), "TASK_LINE_UNREADABLE", "expected a '- ' list item under " + task.key);
      return;
    }
    boolean nested = b.group(1).length() >= 2;
    String item = b.group(2);
    String lower = item.toLowerCase(Locale.ROOT);
    if (nested && task.inAcceptance) {
      criterion(task, l, item);
      return;
    }
    task.inAcceptance = false;
    if (lower.startsWith("priority:")) {
      String v = item.substring("priority:".length()).trim();
      if (v.matches("[0-9]")) {
        task.priority = Integer.parseInt(v);
      } else {
        add(l.number(), "PRIORITY_INVALID", "priority must be 0..9, not '" + v + "'");
      }
    } else if (lower.startsWith("allowed paths:")) {
      Matcher g = GLOB.matcher(item);
      while (g.find()) {
        checkGlob(l, g.group(1)).ifPresent(task.paths::add);
      }
      if (task.paths.isEmpty()) {
        add(l.number(), "PATHS_UNREADABLE", "write each allowed path in backticks");
      }
    } else if (lower.startsWith("acceptance:")) {
      task.inAcceptance = true;
    } else {
      add(
          l.number(),
          "TASK_LINE_UNREADABLE",
          "expected 'Priority:', 'Allowed paths:' or 'Acceptance:' under " + task.key);
    }
  }

  private void criterion(TaskDraft task, Line l, String item) {
    Matcher c = CRITERION.matcher(item);
    if (!c.matches()) {
      add(l.number(), "CRITERION_UNREADABLE", "expected 'AC-<n>: <testable statement>'");
      return;
    }
    String id = c.group(1).toUpperCase(Locale.ROOT);
    String text = c.group(2);
    String verify = null;
    Matcher v = VERIFY.matcher(text);
    if (v.find()) {
      verify = v.group(1);
      text = text.substring(0, v.start()).trim();
    }
    placeholder(l, text, "acceptance criterion");
    for (Criterion existing : task.acceptance) {
      if (existing.id().equals(id)) {
        add(l.number(), "CRITERION_REPEATED", task.key + " has " + id + " twice");
      }
    }
    task.acceptance.add(new Criterion(id, text, verify));
  }

  private java.util.Optional<String> bullet(Line l) {
    Matcher b = BULLET.matcher(l.text());
    if (b.matches()) {
      return java.util.Optional.of(b.group(2));
    }
    add(l.number(), "LIST_EXPECTED", "expected a '- ' list item");
    return java.util.Optional.empty();
  }

  private java.util.Optional<String> globBullet(Line l) {
    return bullet(l)
        .flatMap(
            item -> {
              Matcher g = GLOB.matcher(item);
              if (!g.find()) {
                add(l.number(), "PATHS_UNREADABLE", "write the allowed path in backticks");
                return java.util.Optional.empty();
              }
              return checkGlob(l, g.group(1));
            });
  }

  private java.util.Optional<String> checkGlob(Line l, String glob) {
    String g = glob.trim();
    if (g.contains("TODO") || PLACEHOLDER.matcher(g).find()) {
      add(l.number(), "PLACEHOLDER_LEFT", "an allowed path still reads `" + glob + "`");
      return java.util.Optional.empty();
    }
    if (g.isEmpty()
        || g.startsWith("/")
        || g.contains("\\")
        || g.matches("^[A-Za-z]:.*")
        || ("/" + g + "/").contains("/../")
        || PLACEHOLDER.matcher(g).find()) {
      add(
          l.number(),
          "PATH_INVALID",
          "`" + glob + "` is not a workspace-relative path (no leading '/', no '..')");
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(g);
  }

  private void placeholder(Line l, String text, String what) {
    String prose = text.replaceAll("`[^`]*`", "");
    if (PLACEHOLDER.matcher(prose).find() || prose.contains("TODO")) {
      add(l.number(), "PLACEHOLDER_LEFT", "the " + what + " still holds a placeholder: " + text);
    }
  }

  private static String normalise(String heading) {
    return heading
        .replaceAll("\\(required\\)", "")
        .trim()
        .toLowerCase(Locale.ROOT)
        .replaceAll("\\s+", " ");
  }

  private static void append(StringBuilder sb, String line) {
    if (sb.length() > 0) {
      sb.append(' ');
    }
    sb.append(line.trim());
  }

  private void require(boolean ok, String code, String message, int line) {
    if (!ok) {
      add(line, code, message);
    }
  }

  private void add(int line, String code, String message) {
    findings.add(new Finding(line, code, message));
  }

  /** The lines with HTML comments blanked out, numbered as in the file. */
  private static List<Line> withoutComments(String markdown) {
    List<Line> out = new ArrayList<>();
    String[] raw = markdown.replace("\r\n", "\n").split("\n", -1);
    boolean inComment = false;
    for (int i = 0; i < raw.length; i++) {
      StringBuilder kept = new StringBuilder();
      String s = raw[i];
      int pos = 0;
      while (pos < s.length()) {
        if (inComment) {
          int end = s.indexOf("-->", pos);
          if (end < 0) {
            pos = s.length();
          } else {
            inComment = false;
            pos = end + 3;
          }
        } else {
          int start = s.indexOf("<!--", pos);
          if (start < 0) {
            kept.append(s, pos, s.length());
            pos = s.length();
          } else {
            kept.append(s, pos, start);
            inComment = true;
            pos = start + 4;
          }
        }
      }
      out.add(new Line(i + 1, kept.toString()));
    }
    return out;
  }
}
