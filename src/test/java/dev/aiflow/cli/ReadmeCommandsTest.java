package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's commands as written (issue 13). A code block right after the line {@code <!--
 * runnable -->} is checked: every command in it is {@code ./mvnw}, {@code java tools/...} or {@code
 * bin/aiflow ...}; an aiflow command parses with the real command line (commands and options exist,
 * values convert), and every input file it names exists in the checkout. A block after {@code <!--
 * runnable: run -->} is also run, command by command, in the test's JVM: each exits 0, prints no
 * log line on stdout, and the checkout is left as it was ({@code git status --porcelain
 * --ignored}): the data the commands write goes to a temporary folder ({@code data/...} and {@code
 * ./...} outputs there, {@code log} with {@code --root-dir} there).
 */
class ReadmeCommandsTest {

  static final Path README = Path.of("README.md");

  /** Options whose value is a file or folder the command writes, not one it reads. */
  static final Set<String> OUTPUTS =
      Set.of(
          "--write-rework-file",
          "--archive",
          "--state-dir",
          "--progress-dir",
          "--root-dir",
          "--project-dir",
          "--workspace",
          "--out");

  @TempDir Path tmp;

  record Block(int line, boolean run, List<Command> commands) {}

  record Command(int line, List<String> words) {}

  @Test
  void everyRunnableCommandNamesCommandsOptionsAndFilesThatExist() throws Exception {
    List<Block> blocks = blocks(Files.readAllLines(README, StandardCharsets.UTF_8));
    assertThat(blocks).as("README.md marks its runnable blocks").hasSizeGreaterThanOrEqualTo(3);
    List<String> problems = new ArrayList<>();
    int aiflow = 0;
    for (Block b : blocks) {
      for (Command c : b.commands()) {
        List<String> w = withoutEnvironment(c.words());
        String where = "README.md:" + c.line() + " " + String.join(" ", c.words());
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
          case "bin/aiflow" -> {
            aiflow++;
            problems.addAll(checkAiflow(where, w.subList(1, w.size())));
          }
          default -> problems.add(where + ": not a command this test knows (" + w.get(0) + ")");
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(aiflow).as("aiflow commands checked").isGreaterThanOrEqualTo(8);
  }

  @Test
  void theRunBlocksRunAndLeaveTheCheckoutAsItWas() throws Exception {
    List<Block> run =
        blocks(Files.readAllLines(README, StandardCharsets.UTF_8)).stream()
            .filter(Block::run)
            .toList();
    assertThat(run).as("README.md has blocks the test runs").isNotEmpty();
    String before = git("status", "--porcelain", "--ignored");
    int ran = 0;
    for (Block b : run) {
      for (Command c : b.commands()) {
        List<String> w = withoutEnvironment(c.words());
        if (!w.get(0).equals("bin/aiflow")) {
          continue;
        }
        String where = "README.md:" + c.line() + " " + String.join(" ", c.words());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(relocated(w.subList(1, w.size())).toArray(String[]::new));
        assertThat(exit).as(where + "\nstderr: " + err).isZero();
        assertThat(out.toString())
            .as(where + ": stdout is the command's output, no log lines")
            .doesNotContainPattern("(?m)^\\S*\\s*(INFO|WARN|DEBUG|ERROR)\\s");
        ran++;
      }
    }
    assertThat(ran).isGreaterThanOrEqualTo(5);
    assertThat(git("status", "--porcelain", "--ignored"))
        .as("the README's commands leave the checkout as it was")
        .isEqualTo(before);
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
          // data/ is the data directory: what is there, an earlier command of the block wrote
          if (!value.startsWith("data/") && !Files.exists(Path.of(value))) {
            problems.add(where + ": " + name + " " + value + " does not exist in the checkout");
          }
        }
      }
    }
    return problems;
  }

  /** The arguments with the data the commands write moved to the temporary folder. */
  private List<String> relocated(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("data/")) {
        out.add(tmp.resolve(a).toString());
      } else {
        out.add(a);
      }
    }
    if (!out.isEmpty() && out.get(0).equals("log") && !out.contains("--root-dir")) {
      out.add(1, "--root-dir");
      out.add(2, tmp.resolve("workflow").toString());
    }
    return out;
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

  /** The blocks after a runnable marker, their commands joined over continuation lines. */
  static List<Block> blocks(List<String> lines) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size() - 1; i++) {
      String marker = lines.get(i).trim();
      if (!marker.equals("<!-- runnable -->") && !marker.equals("<!-- runnable: run -->")) {
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
          commands.add(new Command(start, words));
        }
        current.setLength(0);
      }
      out.add(new Block(i + 1, marker.contains("run -->"), commands));
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
