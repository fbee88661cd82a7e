package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's commands as written (issue 13). Every {@code ```bash} block of README.md comes right
 * after one of three markers, else the test fails:
 *
 * <ul>
 *   <li>{@code <!-- runnable -->}: checked. Every command is {@code ./mvnw}, {@code java
 *       tools/...}, {@code cp}/{@code mkdir} into {@code data/}, or {@code bin/aiflow ...}; an
 *       aiflow command parses with the real command line (commands and options exist, values
 *       convert), and every input file it names exists in the checkout or under {@code data/}
 *       (written by an earlier command); no word is a placeholder ({@code ...}, {@code <id>},
 *       {@code [--option]}).
 *   <li>{@code <!-- runnable: run -->}: checked, then run command by command in the test's JVM:
 *       each exits as its comment says ({@code # exits 1: ...}), else 0, prints no log line on
 *       stdout, and the checkout is left as it was ({@code git status --porcelain --ignored}). The
 *       data the commands write goes to a temporary folder: {@code data/...} arguments there, and
 *       the data directory of a command that has one ({@code --data-dir}, {@code log --root-dir})
 *       there too. {@code NAME="$(bin/aiflow ...)"} keeps a command's output for a later {@code
 *       "$NAME"}.
 *   <li>{@code <!-- runnable: server -->}: needs a running server or PostgreSQL: checked as above
 *       (a {@code curl} to the server may appear: its API path and the files its JSON body names
 *       are checked), not run.
 * </ul>
 */
class ReadmeCommandsTest {

  static final Path README = Path.of("README.md");

  static final String CHECK = "<!-- runnable -->";
  static final String RUN = "<!-- runnable: run -->";
  static final String SERVER = "<!-- runnable: server -->";

  /** Options whose value is a file or folder the command writes, not one it reads. */
  static final Set<String> OUTPUTS =
      Set.of(
          "--write-rework-file",
          "--write-review-file",
          "--archive",
          "--state-dir",
          "--progress-dir",
          "--root-dir",
          "--log-root-dir",
          "--project-dir",
          "--workspace",
          "--out-dir",
          "--data-dir",
          "--out",
          "--file"); // checkpoint-create --file: a path inside --workspace

  /** What a placeholder looks like: an ellipsis, {@code <something>}, an optional {@code [--x]}. */
  static final Pattern PLACEHOLDER = Pattern.compile("\\.\\.\\.|<[^>]*>|^\\[|\\]$");

  static final Pattern ASSIGNMENT = Pattern.compile("([A-Z_][A-Z0-9_]*)=\\$\\((.*)\\)");
  static final Pattern EXITS = Pattern.compile("#\\s*exits (\\d)\\b");

  @TempDir Path tmp;

  enum Kind {
    CHECK,
    RUN,
    SERVER
  }

  record Block(int line, Kind kind, List<Command> commands) {}

  /**
   * @param exit the exit code its comment announces ({@code # exits 1: ...}), else 0
   */
  record Command(int line, List<String> words, int exit) {}

  @Test
  void everyBashBlockIsMarkedAndEveryCommandNamesCommandsOptionsAndFilesThatExist()
      throws Exception {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>(unmarkedBlocks(lines));
    List<Block> blocks = blocks(lines);
    assertThat(blocks).as("README.md marks its blocks").hasSizeGreaterThanOrEqualTo(8);
    int aiflow = 0;
    for (Block b : blocks) {
      for (Command c : b.commands()) {
        String where = "README.md:" + c.line() + " " + String.join(" ", c.words());
        for (String w : c.words()) {
          if (PLACEHOLDER.matcher(w).find()) {
            problems.add(where + ": a placeholder, not a runnable word: " + w);
          }
        }
        List<String> w = withoutEnvironment(c.words());
        Matcher assignment = ASSIGNMENT.matcher(w.get(0));
        if (w.size() == 1 && assignment.matches()) {
          w = words(withoutPipe(assignment.group(2)));
        }
        switch (w.get(0)) {
          case "./mvnw" -> {
            if (!Files.isExecutable(Path.of("mvnw"))) {
              problems.add(where + ": no executable ./mvnw");
            }
          }
          case "java" -> {
            if (w.size() < 2 || !Files.isRegularFile(Path.of(w.get(1)))) {
              problems.add(where + ": no source file " + (w.size() < 2 ? "" : w.get(1)));
            }
          }
          case "cp", "mkdir" -> problems.addAll(checkCopy(where, w));
          case "curl" -> {
            if (b.kind() != Kind.SERVER) {
              problems.add(where + ": curl needs a server: mark the block " + SERVER);
            } else {
              problems.addAll(checkCurl(where, w));
            }
          }
          case "bin/aiflow" -> {
            aiflow++;
            problems.addAll(checkAiflow(where, w.subList(1, w.size())));
          }
          default -> problems.add(where + ": not a command this test knows (" + w.get(0) + ")");
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(aiflow).as("aiflow commands checked").isGreaterThanOrEqualTo(25);
  }

  @Test
  void theRunBlocksRunAsTheReadmeSaysAndLeaveTheCheckoutAsItWas() throws Exception {
    List<Block> run =
        blocks(Files.readAllLines(README, StandardCharsets.UTF_8)).stream()
            .filter(b -> b.kind() == Kind.RUN)
            .toList();
    assertThat(run).as("README.md has blocks the test runs").hasSizeGreaterThanOrEqualTo(4);
    String before = git("status", "--porcelain", "--ignored");
    Map<String, String> variables = new HashMap<>();
    int ran = 0;
    for (Block b : run) {
      for (Command c : b.commands()) {
        String where = "README.md:" + c.line() + " " + String.join(" ", c.words());
        List<String> w = substitute(withoutEnvironment(c.words()), variables);
        Matcher assignment = ASSIGNMENT.matcher(w.get(0));
        if (w.size() == 1 && assignment.matches()) {
          String inner = assignment.group(2);
          Result r = aiflow(words(withoutPipe(inner)).subList(1, words(withoutPipe(inner)).size()));
          assertThat(r.exit()).as(where + "\nstderr: " + r.err()).isZero();
          String value = r.out().strip();
          if (inner.endsWith("| head -n 1")) {
            value = value.lines().findFirst().orElse("");
          }
          variables.put(assignment.group(1), value);
          ran++;
          continue;
        }
        switch (w.get(0)) {
          case "cp", "mkdir" -> {
            Process p = new ProcessBuilder(relocated(w)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(where + ": " + out).isZero();
          }
          case "bin/aiflow" -> {
            Result r = aiflow(w.subList(1, w.size()));
            assertThat(r.exit())
                .as(where + "\nstdout: " + r.out() + "\nstderr: " + r.err())
                .isEqualTo(c.exit());
            assertThat(r.out())
                .as(where + ": stdout is the command's output, no log lines")
                .doesNotContainPattern("(?m)^\\S*\\s*(INFO|WARN|DEBUG|ERROR)\\s");
          }
          default -> {
            continue; // java tools/...: checked, run by IndependentVerifiersTest
          }
        }
        ran++;
      }
    }
    assertThat(ran).isGreaterThanOrEqualTo(20);
    assertThat(git("status", "--porcelain", "--ignored"))
        .as("the README's commands leave the checkout as it was")
        .isEqualTo(before);
  }

  record Result(int exit, String out, String err) {}

  private Result aiflow(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(withDataDir(relocated(args)).toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  // ------------------------------------------------------------------ checks

  private List<String> checkAiflow(String where, List<String> args) {
    List<String> problems = new ArrayList<>();
    CommandLine.ParseResult parsed;
    try {
      parsed = Cli.commandLine().parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      return List.of(where + ": " + e.getMessage());
    }
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      for (CommandLine.Model.OptionSpec o : p.matchedOptions()) {
        String name = o.longestName();
        if (!(name.endsWith("-file") || name.endsWith("-md") || name.endsWith("-path"))
            || OUTPUTS.contains(name)) {
          continue;
        }
        for (String value : p.matchedOption(name).stringValues()) {
          problems.addAll(exists(where, name, value));
        }
      }
    }
    return problems;
  }

  /** {@code cp -r SOURCE data/...}, {@code mkdir -p data/...}: only into the data directory. */
  private static List<String> checkCopy(String where, List<String> w) {
    List<String> problems = new ArrayList<>();
    List<String> paths = w.stream().skip(1).filter(a -> !a.startsWith("-")).toList();
    if (paths.isEmpty() || !paths.get(paths.size() - 1).startsWith("data/")) {
      problems.add(where + ": writes outside data/");
    }
    if (w.get(0).equals("cp")) {
      for (String source : paths.subList(0, Math.max(0, paths.size() - 1))) {
        problems.addAll(exists(where, "cp", source));
      }
    }
    return problems;
  }

  /** A request to the server: a path of its API, and a JSON body whose files exist. */
  private static List<String> checkCurl(String where, List<String> w) throws IOException {
    List<String> problems = new ArrayList<>();
    String url = w.stream().filter(a -> a.startsWith("http://")).findFirst().orElse("");
    if (!url.matches("http://127\\.0\\.0\\.1:8080/(api|engine-rest|actuator)/.*")) {
      problems.add(where + ": not a URL of the server's API: " + url);
    }
    int d = w.indexOf("-d");
    if (d >= 0) {
      JsonNode body = new ObjectMapper().readTree(w.get(d + 1));
      for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().endsWith("Path")) {
          problems.addAll(exists(where, e.getKey(), e.getValue().asText()));
        }
      }
    }
    return problems;
  }

  /** A file the command reads: in the checkout, or under data/ (an earlier command wrote it). */
  private static List<String> exists(String where, String name, String value) {
    if (value.startsWith("data/") || value.startsWith("$") || Files.exists(Path.of(value))) {
      return List.of();
    }
    return List.of(where + ": " + name + " " + value + " does not exist in the checkout");
  }

  /** Every {@code ```bash} block comes right after a marker. */
  static List<String> unmarkedBlocks(List<String> lines) {
    List<String> problems = new ArrayList<>();
    boolean inBlock = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).trim();
      if (!l.startsWith("```")) {
        continue;
      }
      if (!inBlock && l.equals("```bash")) {
        String marker = i == 0 ? "" : lines.get(i - 1).trim();
        if (!Set.of(CHECK, RUN, SERVER).contains(marker)) {
          problems.add(
              "README.md:"
                  + (i + 1)
                  + ": a bash block without "
                  + CHECK
                  + ", "
                  + RUN
                  + " or "
                  + SERVER);
        }
      }
      inBlock = !inBlock;
    }
    return problems;
  }

  // ------------------------------------------------------------------ running

  /** The arguments with the data the commands write moved to the temporary folder. */
  private List<String> relocated(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(a.startsWith("data/") || a.equals("data") ? tmp.resolve(a).toString() : a);
    }
    return out;
  }

  /** The temporary data directory for a command that has one and does not name it. */
  private List<String> withDataDir(List<String> args) {
    List<String> out = new ArrayList<>(args);
    CommandLine.ParseResult parsed = Cli.commandLine().parseArgs(args.toArray(String[]::new));
    while (parsed.subcommand() != null) {
      parsed = parsed.subcommand();
    }
    CommandLine.Model.CommandSpec leaf = parsed.commandSpec();
    Path data = tmp.resolve("data");
    if (leaf.findOption("--data-dir") != null && !parsed.hasMatchedOption("--data-dir")) {
      out.addAll(List.of("--data-dir", data.toString()));
    }
    if (leaf.findOption("--root-dir") != null && !parsed.hasMatchedOption("--root-dir")) {
      out.addAll(List.of("--root-dir", data.resolve("workflow").toString()));
    }
    if (parsed.hasMatchedOption("--log-project-id") && !parsed.hasMatchedOption("--log-root-dir")) {
      out.addAll(List.of("--log-root-dir", data.resolve("workflow").toString()));
    }
    return out;
  }

  private static List<String> substitute(List<String> words, Map<String, String> variables) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      String s = w;
      for (Map.Entry<String, String> v : variables.entrySet()) {
        s = s.replace("$" + v.getKey(), v.getValue());
      }
      out.add(s);
    }
    return out;
  }

  private static String withoutPipe(String command) {
    int pipe = command.indexOf(" | ");
    return pipe < 0 ? command : command.substring(0, pipe);
  }

  private static List<String> withoutEnvironment(List<String> words) {
    int i = 0;
    while (i < words.size() - 1 && words.get(i).matches("[A-Z_][A-Z0-9_]*=.*")) {
      i++;
    }
    return words.subList(i, words.size());
  }

  private static String git(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("git " + String.join(" ", args) + ": " + out).isZero();
    return out;
  }

  // ------------------------------------------------------------------ README.md

  /** The blocks after a marker, their commands joined over continuation lines. */
  static List<Block> blocks(List<String> lines) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size() - 1; i++) {
      String marker = lines.get(i).trim();
      Kind kind =
          switch (marker) {
            case CHECK -> Kind.CHECK;
            case RUN -> Kind.RUN;
            case SERVER -> Kind.SERVER;
            default -> null;
          };
      if (kind == null) {
        continue;
      }
      if (!lines.get(i + 1).trim().startsWith("```")) {
        throw new IllegalStateException("README.md:" + (i + 1) + ": a marker without a block");
      }
      List<Command> commands = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      int start = 0;
      int j = i + 2;
      for (; j < lines.size() && !lines.get(j).trim().startsWith("```"); j++) {
        String l = lines.get(j).trim();
        if (current.length() == 0) {
          start = j + 1;
        }
        if (l.endsWith("\\")) {
          current.append(l, 0, l.length() - 1).append(' ');
          continue;
        }
        current.append(l);
        List<String> words = words(current.toString());
        if (!words.isEmpty()) {
          Matcher exits = EXITS.matcher(l);
          commands.add(
              new Command(start, words, exits.find() ? Integer.parseInt(exits.group(1)) : 0));
        }
        current.setLength(0);
      }
      out.add(new Block(i + 1, kind, commands));
      i = j;
    }
    return out;
  }

  /** Shell words: quotes and backslashes as the shell reads them; a comment ends the line. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          w.append(line.charAt(++i));
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else if (c == '#' && !inWord) {
        break;
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    return out;
  }
}
